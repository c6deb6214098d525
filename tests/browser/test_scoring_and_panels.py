"""Scoring, reconciliation and the certificate panel as the assessors and the candidate see them (issue 13)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.models import Judgement
from certificates import services as certificate_services
from certificates.models import SupplementVersion

from .. import flows, samples
from .test_procedure_in_chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_view(page, selector: str) -> bool:
    """The element's top has scrolled into the window (Bootstrap scrolls smoothly: wait for it)."""
    page.wait_for_function(
        """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
                           return box.top >= 0 && box.top < window.innerHeight / 2; }""",
        arg=selector,
        timeout=5000,
    )
    return True


def test_the_error_summary_names_the_competencies_and_jumps_to_them(pages, assessment):
    flows.started_and_ended(assessment)
    competencies = list(assessment.qualification.competencies.all())
    page = log_in(pages, assessment.first_assessor)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/score-sheet/")
    for competency in competencies:
        if competency.order != 4:
            page.check(f"input[name=c{competency.pk}-proven][value={'no' if competency.order == 9 else 'yes'}]")
    page.click("button[name=submit]")
    page.click("#confirm-dialog .confirm-dialog-yes")
    summary = page.locator("#error-summary")
    summary.wait_for()
    links = summary.locator("a")
    assert links.all_inner_texts() == [f"4. {competencies[3].text}", f"9. {competencies[8].text}"]
    pages.check_accessibility(page)
    links.nth(1).click()
    page.wait_for_url("**#competency-9")
    assert in_view(page, "#competency-9")
    assert "A justification is required when not proven." in page.locator("#competency-9").inner_text()


def test_leaving_a_changed_score_sheet_asks_first_saving_does_not(pages, assessment):
    flows.started_and_ended(assessment)
    competency = assessment.qualification.competencies.get(order=1)
    page = log_in(pages, assessment.first_assessor)
    sheet = f"{pages.base}/assessments/{assessment.pk}/score-sheet/"
    page.goto(sheet)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.click(".breadcrumb a")  # nothing changed yet: leaves without asking
    page.wait_for_url(f"{pages.base}/assessments/{assessment.pk}/")
    assert asked == []
    page.goto(sheet)
    page.check(f"input[name=c{competency.pk}-proven][value=yes]")
    page.click(".breadcrumb a")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url == sheet  # dismissed: the page and the choice stay
    assert page.is_checked(f"input[name=c{competency.pk}-proven][value=yes]")
    page.click("button[name=save]")
    page.get_by_text("Your draft was saved.").wait_for()
    assert asked == ["beforeunload"]
    page.click(".breadcrumb a")
    page.wait_for_url(f"{pages.base}/assessments/{assessment.pk}/")
    assert asked == ["beforeunload"]


def disputed(assessment):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(
        assessment,
        assessment.second_assessor,
        not_proven={3, 8},
        justification="Did not present the conditions of sale",
    )
    return {order: assessment.qualification.competencies.get(order=order) for order in (3, 8)}


def test_reconciliation_names_the_disputes_keeps_a_refused_choice_and_ends_with_the_outcome(pages, assessment):
    third, eighth = disputed(assessment).values()
    page = log_in(pages, assessment.second_assessor)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/reconciliation/")
    banner = page.locator("#disputed-summary")
    assert banner.locator("a").all_inner_texts() == [f"3. {third.text}", f"8. {eighth.text}"]
    pages.check_accessibility(page)
    banner.locator("a").nth(1).click()
    page.wait_for_url(f"**#pair-{eighth.pk}")
    assert in_view(page, f"#pair-{eighth.pk}")

    # Refused (no reason): the error is beside the field and the choice is kept.
    page.check(f"input[name=r{third.pk}-proven][value=yes]")
    page.click(f"form[action$='/reconciliation/{third.pk}/revise/'] button")
    error = page.locator(f"form[action$='/reconciliation/{third.pk}/revise/'] .invalid-feedback")
    error.wait_for()
    assert error.inner_text() == "Give the reason for revising your judgement."
    assert page.is_checked(f"input[name=r{third.pk}-proven][value=yes]")
    pages.check_accessibility(page)
    page.fill(f"textarea[name=r{third.pk}-reason]", "The portfolio letter shows it")
    page.click(f"form[action$='/reconciliation/{third.pk}/revise/'] button")
    page.get_by_text("Your judgement was revised.").wait_for()

    # The old "not proven" justification is no longer shown as current; the history keeps it.
    card = page.locator("section", has=page.locator(f"#pair-{third.pk}"))
    assert "Justification before the revision: Did not present the conditions of sale" in card.inner_text()
    assert Judgement.objects.get(sheet__assessor=assessment.second_assessor, competency=third).justification == ""

    page.check(f"input[name=r{eighth.pk}-proven][value=yes]")
    page.fill(f"textarea[name=r{eighth.pk}-reason]", "Seen in the role play")
    page.click(f"form[action$='/reconciliation/{eighth.pk}/revise/'] button")
    # The last disagreement settles the decision: the page asks first.
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    dialog.get_by_role("button", name="Revise and settle the decision").click()
    page.wait_for_url(f"{pages.base}/assessments/{assessment.pk}/")
    assert "the candidate is certified." in page.locator(".alert-success").inner_text()
    assert page.locator("#results-heading").is_visible()
    pages.check_accessibility(page)


def test_when_the_worker_is_down_the_candidate_keeps_the_ready_version_and_the_administrator_is_told(
    pages, assessment, administrator
):
    flows.certify(assessment)
    certificate = assessment.certificate
    first = certificate.versions.get()
    first.status, first.rendered_at = SupplementVersion.Status.READY, timezone.now()
    first.file.save("v1.pdf", ContentFile(samples.MINIMAL_PDF))
    # A new rendering was asked for twenty minutes ago and no worker took it.
    second = certificate_services.supplement_rerender(
        certificate=certificate, actor=administrator, languages=("fr", "en")
    )
    SupplementVersion.objects.filter(pk=second.pk).update(queued_at=timezone.now() - timedelta(minutes=20))

    candidate = log_in(pages, assessment.candidate)
    candidate.goto(f"{pages.base}/assessments/{assessment.pk}/")
    box = candidate.locator("#certificate-panel")
    assert box.locator(".spinner-border").count() == 0
    assert box.locator("a[href$='/supplements/1/download/']").is_visible()
    assert "A new version of your supplement is being prepared" in box.inner_text()
    pages.check_accessibility(candidate)

    admin = log_in(pages, administrator)
    admin.goto(f"{pages.base}/assessments/{assessment.pk}/")
    warning = admin.locator("#certificate-panel .supplement-overdue")
    assert warning.inner_text().startswith("Version 2 (FR/EN) has been waiting in the queue for 20")
    pages.check_accessibility(admin)

    # Once it is ready the candidate keeps both: the new language pair and the first version.
    ready = SupplementVersion.objects.get(pk=second.pk)
    ready.status, ready.rendered_at = SupplementVersion.Status.READY, timezone.now()
    ready.file.save("v2.pdf", ContentFile(samples.MINIMAL_PDF))
    candidate.reload()
    versions = candidate.locator("#supplement-versions a")
    assert versions.all_inner_texts() == ["Version 2 (FR/EN)", "Version 1 (NL/EN)"]
    pages.check_accessibility(candidate)


def test_the_portfolio_form_groups_indicators_and_keeps_the_chosen_file_and_the_assessors_see_the_links(
    pages, assessment
):
    third = assessment.qualification.competencies.get(order=3)
    indicator = third.indicators.order_by("order").last()
    page = log_in(pages, assessment.candidate)
    page.goto(f"{pages.base}/assessments/{assessment.pk}/portfolio/add/")
    group = page.locator("#div_id_indicators strong", has_text=f"3. {third.text}")
    # The indicator's checkbox follows its competency's heading, before the next competency's.
    assert page.evaluate(
        """([heading, value]) => {
             const box = document.querySelector(`input[name=indicators][value="${value}"]`);
             const headings = [...document.querySelectorAll('#div_id_indicators strong')];
             const before = headings.filter(h => h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING);
             return before[before.length - 1].textContent.trim() === heading; }""",
        [group.inner_text(), str(indicator.pk)],
    )
    pages.check_accessibility(page)
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "Reference letter.pdf", "mimeType": "application/pdf", "buffer": samples.MINIMAL_PDF}],
    )
    page.fill("textarea[name=description]", "Letter from my team leader")
    page.check(f"input[name=indicators][value='{indicator.pk}']")  # but forgot the competency
    page.click("main form button[type=submit], main form input[type=submit]")
    page.get_by_text("Link the file to at least one competency.").wait_for()
    keep = page.get_by_label("Keep the file you chose: Reference letter.pdf")
    assert keep.is_checked()
    pages.check_accessibility(page)
    page.check(f"input[name=competencies][value='{third.pk}']")
    page.click("main form button[type=submit], main form input[type=submit]")
    page.get_by_text("The file was added to your portfolio.").wait_for()

    flows.start(assessment)
    assessor = log_in(pages, assessment.first_assessor)
    assessor.goto(f"{pages.base}/assessments/{assessment.pk}/score-sheet/")
    block = assessor.locator("#competency-3")
    assert "Reference letter.pdf" in block.inner_text()
    assert block.locator(".portfolio-indicator").inner_text() == f"3.{indicator.order} {indicator.text}"
    pages.check_accessibility(assessor)
