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
