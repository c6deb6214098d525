"""Rule 2: one candidate, one qualification, exactly two distinct assessors, at most 6 hours."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, ScoreSheet
from audit.models import AuditEntry

from .. import factories, flows

pytestmark = pytest.mark.django_db


def create(administrator, qualification, candidate, first, second):
    return services.assessment_create(
        created_by=administrator,
        candidate=candidate,
        qualification=qualification,
        first_assessor=first,
        second_assessor=second,
        scheduled_at=timezone.now() + timedelta(days=1),
    )


def test_an_assessment_has_two_distinct_assessors(administrator, qualification, candidate, assessor, second_assessor):
    assessment = create(administrator, qualification, candidate, assessor, second_assessor)
    assert assessment.assessor_ids == (assessor.pk, second_assessor.pk)
    assert AuditEntry.objects.about(assessment).filter(action="assessment_created").exists()


def test_the_same_assessor_twice_is_refused(administrator, qualification, candidate, assessor):
    with pytest.raises(ValidationError, match="two different assessors"):
        create(administrator, qualification, candidate, assessor, assessor)
    assert not Assessment.objects.exists()


def test_the_candidate_cannot_be_an_assessor(administrator, qualification, candidate, assessor):
    with pytest.raises(ValidationError):
        create(administrator, qualification, candidate, candidate, assessor)
    assert not Assessment.objects.exists()


def test_an_assessment_is_not_scheduled_in_the_past(administrator, qualification, candidate, assessor, second_assessor):
    with pytest.raises(ValidationError, match="in the past") as refused:
        services.assessment_create(
            created_by=administrator,
            candidate=candidate,
            qualification=qualification,
            first_assessor=assessor,
            second_assessor=second_assessor,
            scheduled_at=timezone.now() - timedelta(minutes=1),
        )
    assert list(refused.value.error_dict) == ["scheduled_at"]
    assert not Assessment.objects.exists()


def test_the_database_itself_refuses_duplicate_or_self_assessors(qualification, candidate, assessor):
    for first, second in [(assessor, assessor), (candidate, assessor)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Assessment.objects.create(
                candidate=candidate,
                qualification=qualification,
                first_assessor=first,
                second_assessor=second,
                scheduled_at=timezone.now(),
            )


def test_a_third_assessor_cannot_be_added_only_replace_before_scoring(
    administrator, assessment, outsider_assessor, second_assessor
):
    services.assessment_assign_assessors(
        actor=administrator, assessment=assessment, first_assessor=outsider_assessor, second_assessor=second_assessor
    )
    assessment.refresh_from_db()
    assert assessment.assessor_ids == (outsider_assessor.pk, second_assessor.pk)
    flows.start(assessment, actor=administrator)
    with pytest.raises(ValidationError, match="cannot change once scoring"):
        services.assessment_assign_assessors(
            actor=administrator,
            assessment=assessment,
            first_assessor=factories.AssessorFactory(),
            second_assessor=second_assessor,
        )
    assert ScoreSheet.objects.filter(assessment=assessment).count() == 2


def test_third_assessor_through_the_form_is_ignored(client, administrator, assessment, outsider_assessor):
    client.force_login(administrator)
    client.post(
        f"/assessments/{assessment.pk}/assessors/",
        {
            "first_assessor": assessment.first_assessor.email,
            "second_assessor": assessment.second_assessor.email,
            "third_assessor": outsider_assessor.email,
        },
    )
    assessment.refresh_from_db()
    assert outsider_assessor.pk not in assessment.assessor_ids


def test_starting_records_the_time_and_gives_each_assessor_a_sheet(assessment):
    flows.start(assessment)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SCORING
    assert assessment.started_at is not None
    sheets = ScoreSheet.objects.filter(assessment=assessment)
    assert {s.assessor_id for s in sheets} == set(assessment.assessor_ids)
    assert all(s.judgements.count() == 10 for s in sheets)


def test_an_assessment_starts_once(assessment):
    flows.start(assessment)
    with pytest.raises(ValidationError):
        flows.start(assessment)


def test_the_end_is_recorded_once(assessment):
    flows.start(assessment)
    flows.end(assessment)
    with pytest.raises(ValidationError, match="already recorded"):
        flows.end(assessment)


def test_the_end_needs_a_start(assessment):
    with pytest.raises(ValidationError, match="not started"):
        flows.end(assessment)


def test_an_assessment_longer_than_six_hours_is_flagged(assessment):
    flows.start(assessment)
    flows.overrun(assessment, hours=6.5)
    assessment.refresh_from_db()
    assert assessment.ran_over


def test_an_assessment_of_exactly_six_hours_is_not_flagged(assessment):
    flows.start(assessment)
    flows.overrun(assessment, hours=6)
    assessment.refresh_from_db()
    assert not assessment.ran_over


def test_one_second_over_six_hours_is_flagged(assessment):
    flows.start(assessment)
    flows.overrun(assessment, hours=6, seconds=1)
    assessment.refresh_from_db()
    assert assessment.ran_over


def test_overrun_is_shown_to_the_administrator(client, administrator, assessment):
    flows.start(assessment)
    flows.overrun(assessment, hours=7)
    client.force_login(administrator)
    assert "Over time" in client.get("/assessments/").content.decode()
