"""Scoring, reconciliation and the certificate panel as the assessors and the candidate see them (issue 13)."""

import pytest

from assessments.models import Judgement

from .. import flows
from .test_procedure_in_chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_view(page, selector: str) -> bool:
    """The element's top has scrolled into the window (Bootstrap scrolls smoothly: wait for it)."""
    page.wait_for_function(
        """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
                           return box.top >= 0 && box.top < window.innerHeight / 2; }""", arg=selector,
        timeout=5000)
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
    flows.judge(assessment, assessment.second_assessor, not_proven={3, 8},
                justification="Did not present the conditions of sale")
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
    page.wait_for_url(f"{pages.base}/assessments/{assessment.pk}/")
    assert "the candidate is certified." in page.locator(".alert-success").inner_text()
    assert page.locator("#results-heading").is_visible()
    pages.check_accessibility(page)
