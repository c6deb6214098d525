"""What a test centre sees in its first week (issue 13), in Chromium."""

import pytest

from certificates import services as certificate_services

from .. import factories, flows
from .test_procedure_in_chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_revoked_certificate_reads_revoked_on_every_page(pages, qualification):
    administrator = factories.AdministratorFactory()
    assessment = flows.certify(factories.AssessmentFactory(qualification=qualification))
    certificate_services.certificate_revoke(certificate=assessment.certificate, actor=administrator,
                                            reason="Issued in error")
    admin = log_in(pages, administrator)
    badge = admin.locator("main .badge[data-status]")
    assert badge.inner_text() == "Certificate revoked"
    admin.select_option("#id_status", "revoked")
    admin.click("main button[type=submit]")
    assert admin.locator("main tbody tr").count() == 1
    admin.select_option("#id_status", "certified")
    admin.click("main button[type=submit]")
    assert admin.get_by_text("No assessment matches.").is_visible()
    admin.goto(f"{pages.base}/assessments/{assessment.pk}/")
    assert admin.locator("main dd .badge[data-status]").inner_text() == "Certificate revoked"
    pages.check_accessibility(admin)
    admin.goto(f"{pages.base}/assessments/reports/")
    assert "Certificate revoked" in admin.locator("main").inner_text()
    pages.check_accessibility(admin)
    candidate = log_in(pages, assessment.candidate)
    assert candidate.locator("main .badge[data-status]").inner_text() == "Certificate revoked"


def test_error_pages_are_friendly_accessible_and_in_the_visitors_language(pages, candidate):
    page = pages.page("nl")
    response = page.goto(f"{pages.base}/no/such/page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Pagina niet gevonden"
    pages.check_accessibility(page)
    page.click("text=Naar de startpagina")
    assert page.url == f"{pages.base}/"
    verifier = pages.page("fr")
    response = verifier.goto(f"{pages.base}/verify/not-a-real-code/")
    assert response.status == 404
    assert "Aucun certificat ne porte ce code de vérification." in verifier.locator("main").inner_text()
    pages.check_accessibility(verifier)
    signed_in = log_in(pages, candidate)
    signed_in.goto(f"{pages.base}/assessments/999999/")
    signed_in.click("text=Go to my dashboard")
    assert signed_in.url == f"{pages.base}/assessments/"
    # Chromium logs the 404 of the document itself; any other console error still fails the test.
    expected = {f"{pages.base}{path}: Failed to load resource: the server responded with a status of 404 (Not Found)"
                for path in ("/no/such/page/", "/verify/not-a-real-code/", "/assessments/999999/")}
    pages.problems[:] = [problem for problem in pages.problems if problem not in expected]
