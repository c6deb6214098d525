from datetime import timedelta

import pytest
from django.utils import timezone

from .. import factories, flows

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {a.candidate.last_name for a in response.context["page"].object_list}


def test_administrator_filters_by_status_assessor_and_date(client, administrator, qualification):
    alex, sam = factories.AssessorFactory(), factories.AssessorFactory()
    soon = factories.AssessmentFactory(
        qualification=qualification, first_assessor=alex, candidate=factories.CandidateFactory(last_name="Soon")
    )
    later = factories.AssessmentFactory(
        qualification=qualification,
        second_assessor=sam,
        candidate=factories.CandidateFactory(last_name="Later"),
        scheduled_at=timezone.now() + timedelta(days=40),
    )
    flows.start(soon)
    client.force_login(administrator)
    assert names(client.get("/assessments/")) == {"Soon", "Later"}
    assert names(client.get("/assessments/?status=scoring")) == {"Soon"}
    assert names(client.get(f"/assessments/?assessor={sam.email}")) == {"Later"}
    day = (timezone.localdate() + timedelta(days=20)).isoformat()
    assert names(client.get(f"/assessments/?date_from={day}")) == {"Later"}
    assert names(client.get(f"/assessments/?date_to={day}")) == {"Soon"}
    page = client.get("/assessments/?status=scoring").content.decode()
    assert "0/20 judgements, 0/2 sheets submitted" in page
    assert f"/assessments/{soon.pk}/" in page and f"/assessments/{later.pk}/" not in page


def test_assessor_sees_only_assigned_assessments_and_what_waits(client, assessment, outsider_assessor):
    flows.start(assessment)
    client.force_login(assessment.first_assessor)
    page = client.get("/assessments/").content.decode()
    assert assessment.candidate.full_name in page
    assert "Fill in and submit your score sheet" in page
    client.force_login(outsider_assessor)
    assert assessment.candidate.full_name not in client.get("/assessments/").content.decode()


def test_assessor_pages_hold_both_seats_latest_first(client, qualification):
    """Either seat's sessions, merged in one order (latest first), each once, page after page."""
    assessor, other = factories.AssessorFactory(), factories.AssessorFactory()
    now = timezone.now()
    mine = [
        factories.AssessmentFactory(
            qualification=qualification,
            scheduled_at=now + timedelta(days=n),
            **(
                {"first_assessor": assessor, "second_assessor": other}
                if n % 3
                else {"first_assessor": other, "second_assessor": assessor}
            ),
        )
        for n in range(25)
    ]
    factories.AssessmentFactory(qualification=qualification, first_assessor=other)  # not theirs
    latest_first = sorted(mine, key=lambda a: (a.scheduled_at, a.pk), reverse=True)
    client.force_login(assessor)
    first = client.get("/assessments/").context["page"]
    assert list(first.object_list) == latest_first[:20]
    second = client.get("/assessments/" + first.next_url).context["page"]
    assert list(second.object_list) == latest_first[20:] and not second.next_url
    back = client.get("/assessments/" + second.previous_url).context["page"]
    assert list(back.object_list) == latest_first[:20]
    assert list(client.get("/assessments/?at=last").context["page"].object_list) == latest_first[5:]


def test_candidate_sees_only_own_assessments(client, assessment, other_candidate):
    client.force_login(assessment.candidate)
    assert "Contact Center operator" in client.get("/assessments/").content.decode()
    client.force_login(other_candidate)
    assert "You have no assessment yet" in client.get("/assessments/").content.decode()


def test_reports_count_statuses_and_overruns(client, administrator, assessment):
    flows.start(assessment)
    flows.overrun(assessment, hours=8)
    flows.refresh_reports()
    client.force_login(administrator)
    response = client.get("/assessments/reports/")
    assert response.context["figures"].overruns == 1
    assert dict(response.context["figures"].by_status)["Scoring"] == 1


def test_an_overrun_is_measured_against_its_own_qualification(client, administrator, assessment):
    longer = factories.QualificationFactory(max_assessment_hours=8)
    within = factories.AssessmentFactory(qualification=longer)
    for each in (assessment, within):
        flows.start(each)
        flows.overrun(each, hours=7)  # over the 6 hours of 0213, within the 8 of the other
    flows.refresh_reports()
    client.force_login(administrator)
    figures = client.get("/assessments/reports/").context["figures"]
    assert (figures.overruns, figures.ended) == (1, 2)
    assert dict(figures.by_status)["Scoring"] == 2 and figures.total == 2
