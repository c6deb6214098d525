"""What a test centre sees in its first week, in Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import PortfolioItem
from certificates import services as certificate_services

from .. import factories, flows, samples
from .test_procedure_in_chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_revoked_certificate_reads_revoked_on_every_page(pages, qualification):
    administrator = factories.AdministratorFactory()
    assessment = flows.certify(factories.AssessmentFactory(qualification=qualification))
    certificate_services.certificate_revoke(
        certificate=assessment.certificate, actor=administrator, reason="Issued in error"
    )
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
    assert "Aucune preuve ne porte ce code de vérification." in verifier.locator("main").inner_text()
    pages.check_accessibility(verifier)
    signed_in = log_in(pages, candidate)
    signed_in.goto(f"{pages.base}/assessments/999999/")
    signed_in.click("text=Go to my dashboard")
    assert signed_in.url == f"{pages.base}/assessments/"
    # Chromium logs the 404 of the document itself; any other console error still fails the test.
    expected = {
        f"{pages.base}{path}: Failed to load resource: the server responded with a status of 404 (Not Found)"
        for path in ("/no/such/page/", "/verify/not-a-real-code/", "/assessments/999999/")
    }
    pages.problems[:] = [problem for problem in pages.problems if problem not in expected]


def confirm_dialog(page):
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    return dialog


def test_irreversible_steps_ask_first_and_work_with_the_keyboard(pages, assessment):
    page = log_in(pages, assessment.first_assessor)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/")
    page.click(f"form[action='/assessments/{assessment.pk}/start/'] button")
    dialog = confirm_dialog(page)
    assert "The portfolio closes for the candidate" in dialog.inner_text()
    pages.check_accessibility(page)
    page.keyboard.press("Escape")  # cancelled: nothing was sent
    dialog.wait_for(state="hidden")
    assessment.refresh_from_db()
    assert assessment.status == "registered"
    # The keyboard alone: focus the button, Enter opens the dialog on "Cancel", Tab to the step.
    page.focus(f"form[action='/assessments/{assessment.pk}/start/'] button")
    page.keyboard.press("Enter")
    confirm_dialog(page)
    assert page.evaluate("document.activeElement.value") == "cancel"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Record the start"
    page.keyboard.press("Enter")
    page.get_by_text("The start of the assessment was recorded; scoring is open.").wait_for()
    assessment.refresh_from_db()
    assert assessment.status == "scoring"


def test_submitting_a_score_sheet_asks_first_saving_a_draft_does_not(pages, assessment):
    flows.started_and_ended(assessment)
    page = log_in(pages, assessment.first_assessor)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/score-sheet/")
    for competency in assessment.qualification.competencies.all():
        page.check(f"input[name=c{competency.pk}-proven][value=yes]")
    page.click("button[name=submit]")
    dialog = confirm_dialog(page)
    assert "It is locked once submitted" in dialog.inner_text()
    dialog.get_by_role("button", name="Keep editing").click()
    assert not flows.sheet_of(assessment, assessment.first_assessor).is_submitted
    page.click("button[name=save]")
    page.get_by_text("Your draft was saved.").wait_for()
    page.click("button[name=submit]")
    confirm_dialog(page).get_by_role("button", name="Submit and lock").click()
    page.get_by_text("Your score sheet was submitted.").wait_for()
    assert flows.sheet_of(assessment, assessment.first_assessor).is_submitted


def test_withdrawing_a_portfolio_file_asks_first(pages, assessment):
    item = services.portfolio_item_add(
        actor=assessment.candidate,
        assessment=assessment,
        upload=samples.pdf(),
        description="My letter",
        competencies=[assessment.qualification.competencies.first()],
    )
    page = log_in(pages, assessment.candidate)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/")
    withdraw = f"form[action='/assessments/{assessment.pk}/portfolio/{item.pk}/withdraw/'] button"
    page.click(withdraw)
    dialog = confirm_dialog(page)
    assert item.original_name in dialog.inner_text()
    dialog.get_by_role("button", name="Keep the file").click()
    assert PortfolioItem.objects.filter(pk=item.pk).exists()
    page.click(withdraw)
    confirm_dialog(page).get_by_role("button", name="Withdraw the file").click()
    page.get_by_text("The file was withdrawn from your portfolio.").wait_for()
    assert not PortfolioItem.objects.filter(pk=item.pk).exists()


def test_revoking_asks_first(pages, assessment, administrator):
    flows.certify(assessment)
    page = log_in(pages, administrator)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/")
    page.fill("#revoke-reason", "Issued in error")
    page.click(f"form[action='/certificates/{assessment.certificate.pk}/revoke/'] button")
    dialog = confirm_dialog(page)
    assert assessment.certificate.number in dialog.inner_text()
    dialog.get_by_role("button", name="Keep it valid").click()
    assessment.certificate.refresh_from_db()
    assert not assessment.certificate.is_revoked
    page.click(f"form[action='/certificates/{assessment.certificate.pk}/revoke/'] button")
    confirm_dialog(page).get_by_role("button", name="Revoke the proof of professional qualification").click()
    page.get_by_text("The proof was revoked.").wait_for()
    assessment.certificate.refresh_from_db()
    assert assessment.certificate.is_revoked


def test_recording_the_end_and_settling_the_decision_ask_first(pages, assessment):
    flows.start(assessment)
    page = log_in(pages, assessment.first_assessor)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/")
    page.click(f"form[action='/assessments/{assessment.pk}/end/'] button")
    dialog = confirm_dialog(page)
    assert "cannot be changed" in dialog.inner_text()
    dialog.get_by_role("button", name="Not yet").click()
    assessment.refresh_from_db()
    assert assessment.ended_at is None
    page.click(f"form[action='/assessments/{assessment.pk}/end/'] button")
    confirm_dialog(page).get_by_role("button", name="Record the end").click()
    page.get_by_text("The end of the assessment was recorded.").wait_for()

    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor, not_proven={3})
    third = assessment.qualification.competencies.get(order=3)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/reconciliation/")
    page.check(f"input[name=r{third.pk}-proven][value=no]")
    page.fill(f"textarea[name=r{third.pk}-reason]", "The second assessor saw it more closely")
    revise = f"form[action='/assessments/{assessment.pk}/reconciliation/{third.pk}/revise/'] button"
    page.click(revise)
    dialog = confirm_dialog(page)
    assert "the decision is settled at once" in dialog.inner_text()
    pages.check_accessibility(page)
    dialog.get_by_role("button", name="Not yet").click()
    assessment.refresh_from_db()
    assert assessment.status == "reconciliation"
    page.click(revise)
    confirm_dialog(page).get_by_role("button", name="Revise and settle the decision").click()
    page.get_by_text("the candidate is not certified.").first.wait_for()
    assessment.refresh_from_db()
    assert assessment.status == "not_certified"


def test_without_javascript_the_steps_still_work(pages, assessment):
    assessment.first_assessor.preferred_language = "en"
    assessment.first_assessor.save(update_fields=["preferred_language"])
    context = pages.browser.new_context(java_script_enabled=False, locale="en")
    context.add_cookies([{"name": "django_language", "value": "en", "url": pages.base}])
    pages.contexts.append(context)
    page = context.new_page()
    page.goto(f"{pages.base}/accounts/login/")
    page.fill("#id_username", assessment.first_assessor.email)
    page.fill("#id_password", "correct horse battery")
    page.click("main button[type=submit]")
    page.goto(f"{pages.base}/assessments/{assessment.pk}/")
    assert not page.locator("#confirm-dialog").is_visible()
    page.click(f"form[action='/assessments/{assessment.pk}/start/'] button")
    page.get_by_text("The start of the assessment was recorded; scoring is open.").wait_for()


def test_scheduling_in_the_portal(pages, assessment, administrator):
    # At ten in the morning two days ahead: an hour later is the same day, whenever the test runs.
    ten_oclock = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    busy = factories.AssessmentFactory(
        qualification=assessment.qualification,
        first_assessor=assessment.first_assessor,
        scheduled_at=ten_oclock + timedelta(days=2),
        location="Room A",
    )
    admin = log_in(pages, administrator)
    admin.goto(f"{pages.base}/assessments/{assessment.pk}/")
    admin.click("text=Reschedule or cancel")
    pages.check_accessibility(admin)
    when = timezone.localtime(busy.scheduled_at + timedelta(hours=1))
    admin.fill("#id_scheduled_at", f"{when:%Y-%m-%dT%H:%M}")
    admin.fill("#id_location", "Room B")
    admin.fill("#id_reason", "The candidate asked for another day")
    admin.click("main input[value=Reschedule]")
    admin.get_by_text("The assessment was rescheduled.").wait_for()
    assert "Already booked at an overlapping time" in admin.locator("main").inner_text()
    admin.goto(f"{pages.base}/assessments/day/?day={when:%Y-%m-%d}")
    rows = admin.locator("main tbody tr")
    assert rows.count() == 2
    assert "Room A" in rows.nth(0).inner_text() and "Room B" in rows.nth(1).inner_text()
    pages.check_accessibility(admin)
    admin.goto(f"{pages.base}/assessments/{assessment.pk}/schedule/")
    admin.fill("#cancel-form textarea", "The candidate withdrew")
    admin.click("#cancel-form input[type=submit]")
    dialog = confirm_dialog(admin)
    assert [dialog.get_by_role("button").nth(i).inner_text() for i in range(2)] == [
        "Keep the assessment",
        "Cancel the assessment",
    ]
    dialog.get_by_role("button", name="Keep the assessment").click()
    dialog.wait_for(state="hidden")
    assessment.refresh_from_db()
    assert assessment.status == "registered"
    admin.click("#cancel-form input[type=submit]")
    confirm_dialog(admin).get_by_role("button", name="Cancel the assessment").click()
    admin.get_by_text("The assessment was cancelled.").wait_for()
    assert admin.locator("main dd .badge[data-status]").inner_text() == "Cancelled"
    pages.check_accessibility(admin)


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || (e.scrollWidth > e.clientWidth + 1 &&
      ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)));
  }).slice(0, 3).map(e => e.tagName + '.' + e.className);
  return [document.documentElement.scrollWidth - width, wide];
}"""


def phone_page(pages, user, language, *, javascript: bool = True):
    context = pages.browser.new_context(
        viewport={"width": 390, "height": 844}, locale=language, java_script_enabled=javascript
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": pages.base}])
    pages.contexts.append(context)
    page = context.new_page()
    if user:
        user.preferred_language = language  # after sign-in the portal speaks the person's language
        user.save(update_fields=["preferred_language"])
        page.goto(f"{pages.base}/accounts/login/")
        page.fill("#id_username", user.email)
        page.fill("#id_password", "correct horse battery")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{pages.base}/assessments/")
    return page


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_page_fits_a_phone_without_sideways_scrolling(pages, qualification, administrator, language):
    certified = flows.certify(
        factories.AssessmentFactory(
            qualification=qualification,
            location="Centre d'examen de Louvain-la-Neuve, salle polyvalente 2.14",
            candidate=factories.CandidateFactory(first_name="Marie-Christine", last_name="Vandenbroucke-Delaplace"),
        )
    )
    # Another candidate: one who holds the certificate of a qualification is not assessed in it again.
    registered = factories.AssessmentFactory(
        qualification=qualification,
        candidate=factories.CandidateFactory(first_name="Jean-Baptiste", last_name="Vanderstraeten-Dumoulin"),
        first_assessor=certified.first_assessor,
    )
    flows.start(registered)
    day = timezone.localtime(registered.scheduled_at).date()
    visits = {
        administrator: [
            "/assessments/",
            f"/assessments/{certified.pk}/",
            "/assessments/reports/",
            "/accounts/people/",
            "/audit/",
            f"/assessments/day/?day={day:%Y-%m-%d}",
            "/assessments/new/",
            "/qualifications/",
            "/qualifications/0213/",
        ],
        certified.first_assessor: [
            "/assessments/",
            f"/assessments/{registered.pk}/",
            f"/assessments/{registered.pk}/score-sheet/",
            f"/assessments/{certified.pk}/reconciliation/",
        ],
        certified.candidate: ["/assessments/", f"/assessments/{certified.pk}/"],
        None: ["/", "/accounts/login/", f"/verify/{certified.certificate.verification_code}/"],
    }
    for user, urls in visits.items():
        page = phone_page(pages, user, language)
        for url in urls:
            page.goto(f"{pages.base}{url}")
            overflow, wide = page.evaluate(OVERFLOW)
            assert overflow <= 0 and not wide, (url, overflow, wide)
        page.context.close()
    # The main action of a dashboard row is on screen, not behind a sideways scroll.
    page = phone_page(pages, certified.first_assessor, language)
    link = page.locator(f"main a[href='/assessments/{registered.pk}/score-sheet/']")
    assert link.is_visible()
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390


@pytest.mark.parametrize("width", [1200, 1280])
def test_the_french_navigation_bar_fits_on_one_line(pages, administrator, width):
    context = pages.browser.new_context(viewport={"width": width, "height": 800}, locale="fr")
    context.add_cookies([{"name": "django_language", "value": "fr", "url": pages.base}])
    pages.contexts.append(context)
    administrator.preferred_language = "fr"
    administrator.save(update_fields=["preferred_language"])
    page = context.new_page()
    page.goto(f"{pages.base}/accounts/login/")
    page.fill("#id_username", administrator.email)
    page.fill("#id_password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{pages.base}/assessments/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("a.nav-link[href='/audit/']").is_visible()  # expanded, not the collapsed menu
    height = page.locator("nav.navbar").bounding_box()["height"]
    assert height < 70, height
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_result_of_a_checked_file_fits_a_phone(pages, qualification, language, tmp_path):
    from certificates.credentials import signing
    from certificates.credentials.issuing import credential_issue

    certified = flows.certify(factories.AssessmentFactory(qualification=qualification))
    credential = credential_issue(certificate=certified.certificate, languages=("nl", "fr"))
    credential_file = tmp_path / "credential.json"
    credential_file.write_text(credential.data_integrity)
    page = phone_page(pages, None, language)
    page.goto(f"{pages.base}/")
    page.click("main a[href='/verify/']")
    page.set_input_files("#verify-file", str(credential_file))
    page.click("main form[enctype] button[type=submit]")
    page.locator("[data-verdict=valid]").wait_for()
    assert signing.proof_key().key_id in page.locator("main").inner_text()  # the long id is shown
    overflow, wide = page.evaluate(OVERFLOW)
    assert overflow <= 0 and not wide, (overflow, wide)
    pages.check_accessibility(page)


def test_the_language_chosen_in_the_header_stays_after_signing_out_and_in(pages, candidate):
    page = log_in(pages, candidate)
    page.click("header button[name=language][value=fr]")
    page.wait_for_url(f"{pages.base}/assessments/")
    assert page.locator("html").get_attribute("lang") == "fr"
    candidate.refresh_from_db()
    assert candidate.preferred_language == "fr"
    # Another browser, Dutch before signing in: the portal answers in the person's French.
    other = pages.page("nl")
    other.goto(f"{pages.base}/accounts/login/")
    other.fill("#id_username", candidate.email)
    other.fill("#id_password", "correct horse battery")
    other.click("main button[type=submit]")
    other.wait_for_url(f"{pages.base}/assessments/")
    assert other.locator("html").get_attribute("lang") == "fr"


def test_a_busy_day_is_paged_at_one_place_on_a_phone_without_javascript(pages, administrator):
    day = timezone.localdate() + timedelta(days=2)
    factories.sessions_on(day, 55, location="Room 1")
    factories.sessions_on(day, 3, location="Room 2")
    page = phone_page(pages, administrator, "en", javascript=False)
    page.goto(f"{pages.base}/assessments/day/?day={day:%Y-%m-%d}")
    page.fill("#id_location", "room 1")
    page.click("main form button[type=submit]")
    assert "55 sessions at room 1 on this date." in page.locator("main").inner_text()
    assert page.locator("main tbody tr").count() == 50
    page.click("main nav[aria-label=Pages] >> text=Later")
    assert page.locator("main tbody tr").count() == 5
    assert "Room 2" not in page.locator("main tbody").inner_text()
    page.click("text=Next day")
    assert "No session is scheduled at room 1 on this date." in page.locator("main").inner_text()
