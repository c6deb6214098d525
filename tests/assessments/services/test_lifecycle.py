"""assessments.services.lifecycle: scheduling, assessors, and the guarded moves of an assessment."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, ScoreSheet
from audit.models import AuditEntry

from ... import factories, flows
from ...rules import breaks_rule

pytestmark = pytest.mark.django_db
Status = Assessment.Status


@pytest.fixture
def people():
    return {
        "candidate": factories.CandidateFactory(),
        "first_assessor": factories.AssessorFactory(),
        "second_assessor": factories.AssessorFactory(),
    }


def create(**people):
    administrator = factories.AdministratorFactory()
    return services.assessment_create(
        created_by=administrator,
        qualification=factories.QualificationFactory(),
        scheduled_at=timezone.now() + timedelta(days=1),
        location="Room 4",
        **people,
    )


def test_create_schedules_an_assessment_with_its_people(people):
    assessment = create(**people)
    stored = Assessment.objects.get(pk=assessment.pk)
    assert (stored.status, stored.location) == (Status.REGISTERED, "Room 4")
    assert stored.assessor_ids == (people["first_assessor"].pk, people["second_assessor"].pk)
    entry = AuditEntry.objects.about(assessment).get()
    assert (entry.action, entry.actor.role) == ("assessment_created", "administrator")
    assert entry.data == {"assessors": [people["first_assessor"].email, people["second_assessor"].email]}


def test_create_needs_two_different_assessors(people):
    with breaks_rule("same_assessor", "second_assessor"):
        create(**{**people, "second_assessor": people["first_assessor"]})
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("seat", ["first_assessor", "second_assessor"])
def test_the_candidate_is_not_one_of_the_assessors(people, seat):
    with breaks_rule("candidate_assesses", "candidate"):
        create(**{**people, seat: people["candidate"]})


@pytest.mark.parametrize("seat", ["first_assessor", "second_assessor"])
def test_both_assessors_must_have_the_assessor_role(people, seat):
    with breaks_rule("not_assessor", seat):
        create(**{**people, seat: factories.CandidateFactory()})


@pytest.mark.parametrize("seat", ["first_assessor", "second_assessor"])
def test_a_deactivated_assessor_cannot_assess(people, seat):
    with breaks_rule("not_assessor", seat):
        create(**{**people, seat: factories.AssessorFactory(is_active=False)})


def test_the_candidate_must_be_a_candidate(people):
    with breaks_rule("not_candidate", "candidate"):
        create(**{**people, "candidate": factories.AdministratorFactory()})


def test_a_deactivated_candidate_gets_no_assessment(people):
    with breaks_rule("not_candidate", "candidate"):
        create(**{**people, "candidate": factories.CandidateFactory(is_active=False)})


def test_assigning_assessors_replaces_both_before_scoring():
    assessment = factories.AssessmentFactory()
    first, second = factories.AssessorFactory(), factories.AssessorFactory()
    administrator = factories.AdministratorFactory()
    services.assessment_assign_assessors(
        actor=administrator, assessment=assessment, first_assessor=first, second_assessor=second
    )
    assessment.refresh_from_db()
    assert assessment.assessor_ids == (first.pk, second.pk)
    entry = AuditEntry.objects.about(assessment).get()
    assert (entry.action, entry.actor, entry.summary) == (
        "assessors_assigned",
        administrator,
        f"{first.email}, {second.email}",
    )


def test_assigning_assessors_checks_the_people_too():
    assessment = factories.AssessmentFactory()
    with breaks_rule("not_assessor", "second_assessor"):
        services.assessment_assign_assessors(
            actor=factories.AdministratorFactory(),
            assessment=assessment,
            first_assessor=assessment.first_assessor,
            second_assessor=factories.CandidateFactory(),
        )


def test_the_assessors_cannot_change_once_scoring_started():
    assessment = factories.AssessmentFactory()
    flows.start(assessment)
    with breaks_rule("scoring_started"):
        services.assessment_assign_assessors(
            actor=factories.AdministratorFactory(),
            assessment=assessment,
            first_assessor=factories.AssessorFactory(),
            second_assessor=assessment.second_assessor,
        )
    assessment.refresh_from_db()
    assert set(ScoreSheet.objects.filter(assessment=assessment).values_list("assessor", flat=True)) == set(
        assessment.assessor_ids
    )


def test_start_opens_scoring_with_a_blank_sheet_per_assessor():
    assessment = factories.AssessmentFactory()
    flows.start(assessment)
    assessment.refresh_from_db()
    assert assessment.status == Status.SCORING and assessment.started_at is not None
    sheets = ScoreSheet.objects.filter(assessment=assessment)
    assert sorted(s.assessor_id for s in sheets) == sorted(assessment.assessor_ids)
    assert all(s.judgements.count() == 3 and not s.judgements.exclude(proven=None).exists() for s in sheets)


def test_an_assessment_starts_only_once():
    assessment = factories.AssessmentFactory()
    flows.start(assessment)
    with breaks_rule("wrong_status"):
        flows.start(assessment)
    assert ScoreSheet.objects.filter(assessment=assessment).count() == 2


def test_a_move_the_procedure_does_not_allow_is_refused():
    assessment = factories.AssessmentFactory()
    with breaks_rule("wrong_status"), transaction.atomic():
        services.assessment_move(assessment, Status.CERTIFIED)
    assert Assessment.objects.get(pk=assessment.pk).status == Status.REGISTERED


def test_a_concurrent_second_move_fails():
    """Two people load the same registered assessment; the second move finds it already moved."""
    assessment = factories.AssessmentFactory()
    first_view, second_view = (Assessment.objects.get(pk=assessment.pk) for _ in range(2))
    with transaction.atomic():
        services.assessment_move(first_view, Status.SCORING)
    with breaks_rule("changed"), transaction.atomic():
        services.assessment_move(second_view, Status.SCORING)
    assert second_view.status == Status.REGISTERED


def test_a_move_sets_the_status_and_its_fields():
    assessment = factories.AssessmentFactory()
    moment = timezone.now()
    with transaction.atomic():
        services.assessment_move(assessment, Status.SCORING, started_at=moment)
    assert (assessment.status, assessment.started_at) == (Status.SCORING, moment)
    stored = Assessment.objects.get(pk=assessment.pk)
    assert (stored.status, stored.started_at) == (Status.SCORING, moment)


def test_the_end_needs_the_start():
    assessment = factories.AssessmentFactory()
    with breaks_rule("not_started"):
        flows.end(assessment)
    assert Assessment.objects.get(pk=assessment.pk).ended_at is None


def test_the_end_is_recorded_only_once():
    assessment = flows.started_and_ended(factories.AssessmentFactory())
    ended_at = Assessment.objects.get(pk=assessment.pk).ended_at
    with breaks_rule("already_ended"):
        flows.end(assessment)
    assert Assessment.objects.get(pk=assessment.pk).ended_at == ended_at


def test_the_end_is_audited_with_the_overrun_flag():
    assessment = factories.AssessmentFactory()
    flows.start(assessment)
    Assessment.objects.filter(pk=assessment.pk).update(started_at=timezone.now() - timedelta(hours=7))
    flows.end(assessment)
    entry = AuditEntry.objects.about(assessment).get(action="assessment_ended")
    assert entry.data == {"ran_over": True}


# A place is printed in calendar files and e-mails: a line break in it starts a line of its own there.
CONTROLLED_PLACES = [
    "Gent\r\nATTENDEE:mailto:x@attacker.example",
    "Gent\rURL:https://attacker.example",
    "Gent\nBEGIN:VALARM",
    "Room\t4",
    "Room\x00 4",
    "Room\x1b[2J4",
    "Room\x7f4",
    "Room\x854",  # C1: next line
    "Room\u2028 4",  # line separator
    "Room \u202e4 ",  # right-to-left override: shown in another order than stored
]


@pytest.mark.parametrize("place", CONTROLLED_PLACES)
def test_a_place_with_control_characters_is_refused(people, place):
    with breaks_rule("control_characters", "location"):
        services.assessment_create(
            created_by=factories.AdministratorFactory(),
            qualification=factories.QualificationFactory(),
            scheduled_at=timezone.now() + timedelta(days=1),
            location=place,
            **people,
        )
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("place", CONTROLLED_PLACES[:3])
def test_a_rescheduled_place_with_control_characters_is_refused(place):
    assessment = factories.AssessmentFactory(location="Room 4")
    with breaks_rule("control_characters", "location"):
        services.assessment_reschedule(
            actor=factories.AdministratorFactory(),
            assessment=assessment,
            scheduled_at=timezone.now() + timedelta(days=2),
            location=place,
            reason="The room is taken",
        )
    assessment.refresh_from_db()
    assert assessment.location == "Room 4"


def test_a_place_keeps_ordinary_text_with_accents_and_punctuation(people):
    place = "Salle Élodie-Brûlé, 2e étage; bâtiment «B» \\ Zaal Ĳzer — ул. Ленина 5"
    assessment = services.assessment_create(
        created_by=factories.AdministratorFactory(),
        qualification=factories.QualificationFactory(),
        scheduled_at=timezone.now() + timedelta(days=1),
        location=place,
        **people,
    )
    assert Assessment.objects.get(pk=assessment.pk).location == place
