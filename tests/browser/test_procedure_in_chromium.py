"""The whole procedure, clicked through in Chromium by the people of the specification."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.emails import invitation_url
from accounts.models import User
from assessments.models import Assessment, Judgement
from certificates.models import Certificate
from notifications.models import Notification

from .. import factories, flows, samples
from ..conftest import ON_CI, REDIS_URL, require_service
from ..workers import Worker, broker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


def log_in(pages, user, password=PASSWORD, language="en"):
    page = pages.page(language)
    page.goto(f"{pages.base}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/assessments/$"))
    # Signing in switches to the person's own language; these tests then choose the one they check.
    if page.locator("html").get_attribute("lang") != language:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": pages.base}])
        page.reload()
    return page


class Visits:
    """Pages seen during the flow, per person, to check them afterwards in every language."""

    def __init__(self):
        self.seen: dict[str, set[str]] = {}

    def add(self, who, page):
        self.seen.setdefault(who, set()).add(page.url.split("?")[0])


@pytest.fixture
def worker(tmp_path, settings):
    url = REDIS_URL if ON_CI else "filesystem://localhost//"
    if url.startswith("redis"):
        require_service("Redis", url)
    with broker(url, tmp_path):
        worker = Worker(url, tmp_path)
        yield worker
        worker.stop()


def test_the_whole_procedure_in_the_browser(pages, worker, qualification, tmp_path, live_server):
    administrator = factories.AdministratorFactory(first_name="Ada", last_name="Admin")
    first = factories.AssessorFactory(first_name="Alex", last_name="Assessor")
    second = factories.AssessorFactory(first_name="Sam", last_name="Second")
    visits = Visits()

    # The administrator creates the candidate, who gets an invitation.
    admin = log_in(pages, administrator)
    admin.click("a[href='/accounts/people/']")
    admin.click("a[href='/accounts/people/new/candidate/']")
    visits.add("administrator", admin)
    admin.fill("#id_first_name", "Chris")
    admin.fill("#id_last_name", "Candidate")
    admin.fill("#id_email", "chris@example.org")
    admin.select_option("#id_preferred_language", "en")
    admin.click("main input[type=submit]")
    admin.wait_for_url(re.compile(r".*/accounts/people/$"))
    visits.add("administrator", admin)
    assert "chris@example.org" in admin.content()

    # ... and the assessment with its two assessors.
    admin.click("a[href='/assessments/']")
    admin.click("a[href='/assessments/new/']")
    visits.add("administrator", admin)
    # The pickers suggest people from the server as one types (a datalist, under the strict CSP).
    admin.locator("#id_candidate").press_sequentially("Chri", delay=50)
    admin.wait_for_selector("#id_candidate-suggestions option[value='chris@example.org']", state="attached")
    admin.fill("#id_candidate", "chris@example.org")
    admin.select_option("#id_qualification", index=1)
    admin.locator("#id_first_assessor").press_sequentially("Alex", delay=50)
    admin.wait_for_selector(f"#id_first_assessor-suggestions option[value='{first.email}']", state="attached")
    admin.fill("#id_first_assessor", first.email)
    admin.fill("#id_second_assessor", f"Sam Second <{second.email}>")
    # Soon: the start can be recorded from two hours before the scheduled time.
    soon = timezone.localtime(timezone.now() + timedelta(hours=1))
    admin.fill("#id_scheduled_at", f"{soon:%Y-%m-%dT%H:%M}")
    admin.fill("#id_location", "Test centre Gent")
    admin.click("main input[type=submit]")
    admin.wait_for_url(re.compile(r".*/assessments/\d+/$"))
    visits.add("administrator", admin)
    assessment = Assessment.objects.get()
    detail = f"{pages.base}/assessments/{assessment.pk}/"

    # The candidate sets a password from the invitation (sent by the worker, its link as the
    # e-mail carries it) and uploads a portfolio file.
    chris = User.objects.get(email="chris@example.org")
    invited = Notification.objects.filter(event=Notification.Event.INVITATION, recipient=chris)
    wait_for(lambda: invited.filter(status=Notification.Status.SENT).exists(), message="the invitation sent")
    link = invitation_url(chris)
    candidate = pages.page()
    candidate.goto(link)
    visits.add("anonymous", candidate)
    candidate.fill("#id_new_password1", "my own safe passphrase")
    candidate.fill("#id_new_password2", "my own safe passphrase")
    candidate.click("main button[type=submit]")
    candidate.wait_for_url(re.compile(r".*/assessments/$"))
    visits.add("candidate", candidate)
    candidate.click(f"a[href='/assessments/{assessment.pk}/']")
    visits.add("candidate", candidate)
    candidate.click(f"a[href='/assessments/{assessment.pk}/portfolio/add/']")
    visits.add("candidate", candidate)
    portfolio_file = tmp_path / "reference letter.pdf"
    portfolio_file.write_bytes(samples.MINIMAL_PDF)
    candidate.set_input_files("#id_file", str(portfolio_file))
    candidate.fill("#id_description", "Reference letter from my employer")
    candidate.check("input[name=competencies] >> nth=0")
    candidate.click("main input[type=submit]")
    candidate.wait_for_url(detail)
    assert "reference letter.pdf" in candidate.content()

    # Two assessors score blind; they disagree on competency 3.
    third = qualification.competencies.get(order=3)
    sheets = {}
    for assessor, not_proven in ((first, None), (second, third)):
        page = log_in(pages, assessor)
        page.goto(detail)
        visits.add("assessor", page)
        if assessor == first:
            page.click(f"form[action='/assessments/{assessment.pk}/start/'] button")
            page.click("#confirm-dialog .confirm-dialog-yes")
            page.click(f"form[action='/assessments/{assessment.pk}/end/'] button")
            page.click("#confirm-dialog .confirm-dialog-yes")
        page.click(f"a[href='/assessments/{assessment.pk}/score-sheet/']")
        visits.add("assessor", page)
        assert "Reference letter from my employer" in page.content()
        for competency in qualification.competencies.all():
            value = "no" if competency == not_proven else "yes"
            page.check(f"input[name=c{competency.pk}-proven][value={value}]")
        if not_proven:
            page.fill(f"textarea[name=c{third.pk}-justification]", "Did not present the conditions of sale")
        page.click("button[name=submit]")
        page.click("#confirm-dialog .confirm-dialog-yes")
        page.wait_for_url(detail)
        sheets[assessor] = page
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.RECONCILIATION

    # Reconciliation: the second assessor revises, with a reason; now they agree.
    page = sheets[second]
    page.goto(f"{detail}reconciliation/")
    visits.add("assessor", page)
    assert "Did not present the conditions of sale" in page.content()
    page.check(f"input[name=r{third.pk}-proven][value=yes]")
    page.fill(f"textarea[name=r{third.pk}-reason]", "The portfolio letter shows it")
    page.click(f"form[action='/assessments/{assessment.pk}/reconciliation/{third.pk}/revise/'] button")
    page.click("#confirm-dialog .confirm-dialog-yes")  # the last disagreement: it settles the decision
    page.wait_for_url(detail)  # the last disagreement is resolved: the decision shows
    page.get_by_text("the candidate is certified.").first.wait_for()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CERTIFIED
    assert Judgement.objects.filter(proven=True).count() == 20

    # The candidate's page follows the rendering without a reload, then offers the PDF.
    candidate.goto(detail)
    visits.add("candidate", candidate)
    download_link = candidate.locator("a[href$='/supplements/1/download/']")
    download_link.wait_for(timeout=120_000)
    with candidate.expect_download() as download:
        download_link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename.startswith("certificate-supplement-0213-")

    admin.goto(detail)
    visits.add("administrator", admin)
    with admin.expect_download() as download:
        admin.click("a[href$='/supplements/1/download/']")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    # A verifier opens the link printed on the supplement.
    certificate = Certificate.objects.get()
    verifier = pages.page()
    verifier.goto(certificate.verification_url)
    visits.add("anonymous", verifier)
    assert "This proof of professional qualification is valid." in verifier.content()

    # The administrator revokes it; the link says so.
    admin.fill("#revoke-reason", "Issued in error")
    admin.click(f"form[action='/certificates/{certificate.pk}/revoke/'] button")
    admin.click("#confirm-dialog .confirm-dialog-yes")
    admin.get_by_text("The proof was revoked.").wait_for()  # the URL does not change: wait for the answer
    verifier.reload()
    assert "This proof of professional qualification has been revoked." in verifier.content()

    for url in [
        "/assessments/",
        "/accounts/people/",
        "/assessments/reports/",
        "/audit/",
        "/qualifications/",
        "/qualifications/0213/",
    ]:
        visits.seen.setdefault("administrator", set()).add(f"{pages.base}{url}")
    visits.seen.setdefault("anonymous", set()).update({f"{pages.base}/", f"{pages.base}/accounts/login/"})
    check_every_page_in_every_language(
        pages,
        visits,
        {
            "administrator": (administrator, PASSWORD),
            "assessor": (second, PASSWORD),
            "candidate": (assessment.candidate, "my own safe passphrase"),
        },
    )


def check_every_page_in_every_language(pages, visits, people):
    for language in ("nl", "fr", "en"):
        for who, urls in visits.seen.items():
            page = pages.page(language) if who == "anonymous" else log_in(pages, *people[who], language=language)
            for url in sorted(urls):
                if "/invitation/" in url:
                    continue  # used once; its page is checked in test_invitation_page_is_accessible
                page.goto(url)
                assert page.locator("html").get_attribute("lang") == language
                pages.check_accessibility(page)
            page.context.close()


def test_invitation_page_is_accessible(pages, qualification):
    from accounts import emails

    user = factories.CandidateFactory()
    for language in ("nl", "fr", "en"):
        page = pages.page(language)
        page.goto(emails.invitation_url(user).replace("https://portal.example.org", pages.base))
        pages.check_accessibility(page)


def test_the_score_sheet_works_with_the_keyboard_alone(pages, qualification):
    assessment = flows.start(factories.AssessmentFactory(qualification=qualification))
    page = log_in(pages, assessment.first_assessor)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/score-sheet/")
    judged = set()
    for _press in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.name, document.activeElement.value]")
        name, value = focused
        if name and name.endswith("-proven") and name not in judged:
            assert value == "yes"  # the first radio of the group gets the focus
            page.keyboard.press("Space")
            judged.add(name)
        elif name and name.endswith("-justification") and len(judged) == 3:
            page.keyboard.type("Typed with the keyboard")
        elif name == "save":
            page.keyboard.press("Enter")
            break
    page.get_by_text("Your draft was saved.").wait_for()
    sheet = flows.sheet_of(assessment, assessment.first_assessor)
    assert len(judged) == 10
    assert sheet.judgements.filter(proven=True).count() == 10
    assert sheet.judgements.get(competency__order=3).justification == "Typed with the keyboard"
    pages.check_accessibility(page)
