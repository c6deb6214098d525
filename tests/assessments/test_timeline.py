"""A candidate's timeline: each step of their procedure with its date, what comes next, and the
deadlines that matter to them; for the candidate and administrators only."""

from datetime import timedelta

import pytest
from django.utils import formats, timezone

from assessments import selectors, services
from assessments.models import Assessment

from .. import flows

pytestmark = pytest.mark.django_db


def titles(timeline) -> list[str]:
    return [step.title for step in timeline.steps]


def shown(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def test_a_scheduled_assessment_shows_the_open_portfolio_and_the_session_to_come(assessment):
    timeline = selectors.candidate_timeline(assessment)
    assert titles(timeline) == ["Assessment scheduled", "Portfolio open until the start", "Assessment session"]
    assert [step.done for step in timeline.steps] == [True, False, False]
    assert timeline.steps[1].at == assessment.scheduled_at
    assert "You can add files to your portfolio until the assessment starts." in timeline.next_steps
    assert timeline.deadlines == []


def test_a_decision_not_certified_offers_the_objection_until_its_deadline(assessment, settings):
    settings.CARRIED_OVER_VALIDITY_DAYS = 365
    flows.decide(assessment, not_proven=[1])
    timeline = selectors.candidate_timeline(assessment)
    assert titles(timeline)[:5] == ["Assessment scheduled", "Started", "Ended", "Scored", "Decision"]
    assert "Proof of competencies issued" in titles(timeline)
    deadlines = dict(timeline.deadlines)
    assert deadlines["Objection possible until"] == assessment.decided_at + timedelta(
        days=settings.OBJECTION_PERIOD_DAYS
    )
    assert deadlines["Competencies proven now count for a re-assessment until"] == assessment.decided_at + timedelta(
        days=365
    )


def test_without_a_validity_period_no_carried_over_deadline(assessment, settings):
    settings.CARRIED_OVER_VALIDITY_DAYS = None
    flows.decide(assessment, not_proven=[1])
    labels = [label for label, _at in selectors.candidate_timeline(assessment).deadlines]
    assert labels == ["Objection possible until"]


def test_an_objection_lodged_replaces_the_deadline_by_the_test_centres_decision(assessment, candidate):
    flows.decide(assessment, not_proven=[1])
    services.objection_lodge(
        actor=candidate,
        assessment=assessment,
        competencies=[assessment.qualification.competencies.get(order=1)],
        reason="The role play was interrupted.",
    )
    timeline = selectors.candidate_timeline(assessment)
    assert "Objection lodged" in titles(timeline)
    assert "The test centre decides on your objection." in timeline.next_steps
    assert "Objection possible until" not in [label for label, _at in timeline.deadlines]


def test_a_re_assessment_continues_the_same_timeline(assessment, administrator, assessor, second_assessor):
    flows.decide(assessment, not_proven=[1])
    follow_up = services.reassessment_schedule(
        actor=administrator,
        previous=assessment,
        first_assessor=assessor,
        second_assessor=second_assessor,
        scheduled_at=timezone.now() + timedelta(days=10),
    )
    from_first = selectors.candidate_timeline(assessment)
    from_follow_up = selectors.candidate_timeline(follow_up)
    assert titles(from_first) == titles(from_follow_up)
    assert "Re-assessment scheduled" in titles(from_first)
    assert from_first.steps[-1].title == "Assessment session" and from_first.steps[-1].at == follow_up.scheduled_at


def test_a_cancelled_assessment_says_so_with_the_reason(assessment, administrator):
    services.assessment_cancel(actor=administrator, assessment=assessment, reason="The candidate is ill.")
    timeline = selectors.candidate_timeline(Assessment.objects.get(pk=assessment.pk))
    assert titles(timeline) == ["Assessment scheduled", "Cancelled"]
    assert timeline.steps[-1].note == "The candidate is ill."


def test_the_page_is_the_candidates_and_the_administrators_only(
    client, assessment, candidate, assessor, other_candidate, administrator
):
    flows.decide(assessment, not_proven=[1])
    url = f"/assessments/{assessment.pk}/timeline/"
    for person, status in ((candidate, 200), (administrator, 200), (assessor, 404), (other_candidate, 404)):
        client.force_login(person)
        assert client.get(url).status_code == status
    client.force_login(candidate)
    page = client.get(url).content.decode()
    assert shown(selectors.objection_deadline(assessment)) in page
    assert url in client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert url in client.get("/assessments/").content.decode()
    client.force_login(assessor)
    assert url not in client.get(f"/assessments/{assessment.pk}/").content.decode()
