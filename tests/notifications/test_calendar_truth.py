"""A session's calendar entry and reminders: the planned duration, the real end once recorded,
and one reminder per person 7 days and 1 day before each scheduled date."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from accounts.models import User
from assessments import services
from assessments.models import Assessment
from notifications import tasks
from notifications.ics import assessment_event
from notifications.models import Notification, reminder_key

from .. import factories
from ..emails import deliver

pytestmark = pytest.mark.django_db


def dtend(ics: str) -> datetime:
    (event,) = Calendar.from_ical(ics).subcomponents
    return event["DTEND"].dt


def schedule(administrator, candidate, assessor, second_assessor, qualification, when, **extra) -> Assessment:
    return services.assessment_create(
        created_by=administrator,
        candidate=candidate,
        qualification=qualification,
        first_assessor=assessor,
        second_assessor=second_assessor,
        scheduled_at=when,
        location="Gent",
        **extra,
    )


def test_the_calendar_file_ends_at_the_planned_duration_then_at_the_real_end(
    administrator, candidate, assessor, second_assessor, qualification
):
    start = datetime(2030, 3, 4, 8, 30, tzinfo=UTC)
    assessment = schedule(
        administrator, candidate, assessor, second_assessor, qualification, start, planned_minutes=150
    )
    assert assessment.planned_minutes == 150
    assert dtend(assessment_event(assessment, summary="A")) == start + timedelta(minutes=150)
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.SCORING, started_at=start, ended_at=start + timedelta(minutes=95)
    )
    assessment.refresh_from_db()
    assert dtend(assessment_event(assessment, summary="A")) == start + timedelta(minutes=95)


def test_the_planned_duration_defaults_to_the_qualifications_maximum_and_may_not_exceed_it(
    administrator, candidate, assessor, second_assessor, qualification
):
    start = timezone.now() + timedelta(days=30)
    assessment = schedule(administrator, candidate, assessor, second_assessor, qualification, start)
    assert assessment.planned_minutes == qualification.max_assessment_hours * 60
    assert dtend(assessment_event(assessment, summary="A")) == (
        start + timedelta(hours=qualification.max_assessment_hours)
    ).replace(microsecond=0)
    other = factories.CandidateFactory()
    with pytest.raises(ValidationError) as refused:
        schedule(
            administrator,
            other,
            assessor,
            second_assessor,
            qualification,
            start,
            planned_minutes=qualification.max_assessment_hours * 60 + 1,
        )
    assert refused.value.error_dict["planned_minutes"][0].code == "longer_than_allowed"


def test_the_day_view_shows_the_planned_end_then_the_real_end(client, administrator):
    start = timezone.localtime(timezone.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    assessment = factories.AssessmentFactory(scheduled_at=start, planned_minutes=90)
    client.force_login(administrator)
    page = client.get(f"/assessments/day/?day={start.date().isoformat()}").content.decode()
    assert "09:00–10:30" in page
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.SCORING, started_at=start, ended_at=start + timedelta(minutes=75)
    )
    page = client.get(f"/assessments/day/?day={start.date().isoformat()}").content.decode()
    assert "09:00–10:15" in page


def reminders() -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(event__in=Notification.REMINDERS).values_list("recipient__email", "event")
    )


def test_reminders_go_once_to_each_person_seven_days_and_one_day_before(
    django_capture_on_commit_callbacks,
):
    assessment = factories.AssessmentFactory(scheduled_at=timezone.now() + timedelta(days=5))
    people = sorted([assessment.candidate.email, assessment.first_assessor.email, assessment.second_assessor.email])
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders()
        tasks.send_reminders()  # a second beat, or a rerun
    sent = deliver()
    assert sorted(m.to[0] for m in sent) == people
    assert reminders() == [(email, Notification.Event.REMINDER_WEEK) for email in people]
    Assessment.objects.filter(pk=assessment.pk).update(scheduled_at=timezone.now() + timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders()
        tasks.send_reminders()
    assert sorted(m.to[0] for m in deliver()) == people
    assert len(reminders()) == 6


def test_a_rescheduled_session_is_reminded_for_its_new_date(administrator):
    assessment = factories.AssessmentFactory(scheduled_at=timezone.now() + timedelta(days=3))
    first_date = assessment.scheduled_at
    tasks.send_reminders()
    assert len(reminders()) == 3
    services.assessment_reschedule(
        actor=administrator,
        assessment=assessment,
        scheduled_at=timezone.now() + timedelta(days=4),
        location="Brugge",
        reason="Room taken",
    )
    tasks.send_reminders()
    tasks.send_reminders()
    assert len(reminders()) == 6
    assessment.refresh_from_db()
    keys = Notification.objects.filter(event__in=Notification.REMINDERS).values_list("detail", flat=True)
    assert sorted(set(keys)) == sorted({reminder_key(first_date), reminder_key(assessment.scheduled_at)})
    # The reminders of the old date, still waiting, are not sent; those of the new date are, and an
    # e-mail is made when it is sent, so each tells of the session as it is then.
    reminded = [m for m in deliver() if m.subject == "Uw assessment is over een week"]
    assert len(reminded) == 3 and all("Brugge" in m.body for m in reminded)
    expired = Notification.objects.filter(detail=reminder_key(first_date), status=Notification.Status.EXPIRED)
    assert expired.count() == 3


def test_a_waiting_reminder_of_a_session_cancelled_since_is_not_sent(administrator):
    assessment = factories.AssessmentFactory(scheduled_at=timezone.now() + timedelta(days=3))
    tasks.send_reminders()  # recorded, then held up (a broker down)
    services.assessment_cancel(actor=administrator, assessment=assessment, reason="Ill")
    assert not [m for m in deliver() if m.subject == "Uw assessment is over een week"]
    assert set(Notification.objects.filter(event__in=Notification.REMINDERS).values_list("status", flat=True)) == {
        Notification.Status.EXPIRED
    }


def test_nothing_waiting_is_sent_to_an_account_deactivated_since():
    assessment = factories.AssessmentFactory(scheduled_at=timezone.now() + timedelta(days=3))
    tasks.send_reminders()
    User.objects.filter(pk=assessment.first_assessor_id).update(is_active=False)
    assert assessment.first_assessor.email not in {m.to[0] for m in deliver()}


def test_no_reminder_for_a_cancelled_session_or_one_far_away(administrator):
    cancelled = factories.AssessmentFactory(scheduled_at=timezone.now() + timedelta(days=3))
    services.assessment_cancel(actor=administrator, assessment=cancelled, reason="Ill")
    factories.AssessmentFactory(scheduled_at=timezone.now() + timedelta(days=8))
    tasks.send_reminders()
    assert reminders() == []


def test_the_scheduling_form_takes_a_planned_duration(
    client, administrator, candidate, assessor, second_assessor, qualification
):
    client.force_login(administrator)
    response = client.post(
        "/assessments/new/",
        {
            "candidate": candidate.email,
            "qualification": qualification.pk,
            "first_assessor": assessor.email,
            "second_assessor": second_assessor.email,
            "scheduled_at": "2030-03-04T09:30",
            "planned_minutes": "120",
            "location": "Gent",
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.get(candidate=candidate).planned_minutes == 120
