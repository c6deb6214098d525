"""Item 4 of the outcomes: an e-mail at every step, in the person's language, sent by the worker."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from icalendar import Calendar

from accounts.models import User
from assessments import services
from notifications import services as notifications
from notifications.ics import assessment_event
from notifications.models import Notification
from notifications.tasks import send_notification

from .. import factories, flows
from ..certificates.conftest import render
from ..emails import deliver

pytestmark = pytest.mark.django_db


def events(person) -> list[str]:
    return list(Notification.objects.filter(recipient=person).order_by("pk").values_list("event", flat=True))


def test_scheduling_is_queued_on_commit_and_never_sent_in_the_request(
    client, administrator, candidate, assessor, second_assessor, qualification, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with (
        mock.patch.object(send_notification, "delay") as delay,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = client.post(
            "/assessments/new/",
            {
                "candidate": candidate.email,
                "qualification": qualification.pk,
                "first_assessor": assessor.email,
                "second_assessor": second_assessor.email,
                "scheduled_at": "2030-03-04T09:30",
                "location": "Gent",
            },
        )
        assert response.status_code == 302
        assert delay.call_count == 0 and mail.outbox == []  # nothing inside the request's transaction
    assert len(callbacks) == 1  # the three e-mails go to the broker together, after the commit
    with mock.patch.object(send_notification, "delay") as delay:
        for callback in callbacks:
            callback()
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )
    assert mail.outbox == []


def test_scheduled_mail_is_in_each_persons_language_with_a_calendar_file_only(
    candidate, assessor, second_assessor, administrator, qualification
):
    User.objects.filter(pk=candidate.pk).update(preferred_language="fr")
    User.objects.filter(pk=assessor.pk).update(preferred_language="nl")
    User.objects.filter(pk=second_assessor.pk).update(preferred_language="en")
    candidate.refresh_from_db()
    services.assessment_create(
        created_by=administrator,
        candidate=User.objects.get(pk=candidate.pk),
        qualification=qualification,
        first_assessor=assessor,
        second_assessor=second_assessor,
        scheduled_at=datetime(2030, 3, 4, 9, 30, tzinfo=ZoneInfo("Europe/Brussels")),
        location="Gent, zaal 2",
    )
    messages = {m.to[0]: m for m in deliver()}
    assert messages[candidate.email].subject == "Votre évaluation est planifiée"
    assert messages[assessor.email].subject == "Uw assessment is gepland"
    assert messages[second_assessor.email].subject == "Your assessment is scheduled"
    assert "Gent, zaal 2" in messages[candidate.email].body
    assert "https://portal.example.org/assessments/" in messages[candidate.email].body
    for message in messages.values():
        assert [(name, kind) for name, _content, kind in message.attachments] == [("assessment.ics", "text/calendar")]
        ics = message.attachments[0][1]
        assert "BEGIN:VEVENT" in ics and "DTSTART:20300304T083000Z" in ics and "LOCATION:Gent\\, zaal 2" in ics
        assert candidate.email not in ics  # the calendar file carries no personal data
    assert Notification.objects.filter(status="sent").count() == 3


def test_every_step_to_a_certificate_tells_the_people_concerned(
    assessment, candidate, assessor, second_assessor, administrator
):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessor)
    flows.judge(assessment, second_assessor, not_proven={2})
    from assessments.services import judgement_revise

    judgement_revise(
        actor=second_assessor,
        assessment=assessment,
        competency_id=assessment.qualification.competencies.get(order=2).pk,
        proven=True,
        reason="Ok",
    )
    assessment.refresh_from_db()
    render(assessment.certificate.versions.get())
    from certificates.services import certificate_revoke

    certificate_revoke(certificate=assessment.certificate, actor=administrator, reason="Error")
    assert events(assessor) == ["sheet_waiting", "reconciliation"]
    assert events(candidate) == ["decided", "document_ready", "document_revoked"]
    sent = deliver()
    for message in sent:
        assert message.attachments == []  # no file of any kind, let alone a personal one
    ready = next(
        m
        for m in sent
        if m.to == [candidate.email] and assessment.certificate.number in m.body and "staat klaar" in m.body
    )  # the candidate's own language (nl)
    assert "https://portal.example.org/assessments/" in ready.body


def test_objection_steps_are_told(nine_of_ten, administrator):
    tenth = nine_of_ten.qualification.competencies.filter(order=10)
    objection = services.objection_lodge(
        actor=nine_of_ten.candidate, assessment=nine_of_ten, competencies=list(tenth), reason="R"
    )
    services.objection_decide(actor=administrator, objection=objection, upheld=False, reason="No")
    assert events(administrator) == ["objection_lodged"]
    assert events(nine_of_ten.candidate)[-2:] == ["objection_lodged", "objection_decided"]
    to_candidate = [m for m in deliver() if m.to == [nine_of_ten.candidate.email]]
    assert "Het bezwaar is afgewezen." in to_candidate[-1].body  # in the candidate's language (nl)


def test_a_failed_mail_is_recorded_for_administrators_and_retried(client, nine_of_ten, administrator):
    notification = Notification.objects.filter(recipient=nine_of_ten.candidate).first()
    with (
        mock.patch("notifications.services.EmailMessage.send", side_effect=OSError("SMTP down")),
        pytest.raises(OSError),
    ):
        notifications.notification_send(notification_id=notification.pk, attempt_id="first")
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 1)
    assert "SMTP down" in notification.error
    client.force_login(administrator)
    page = client.get("/notifications/?status=failed").content.decode()
    assert "SMTP down" in page
    assert send_notification.max_retries >= 3 and Exception in tuple(send_notification.autoretry_for)
    notifications.notification_send(notification_id=notification.pk, attempt_id="first")  # the retry succeeds
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert notifications.notification_send(notification_id=notification.pk, attempt_id="other") is False


def test_the_dashboard_lists_a_persons_own_notifications(client, nine_of_ten, candidate, other_candidate):
    client.force_login(candidate)
    page = client.get("/assessments/").content.decode()
    assert "My notifications" in page and "Decision made" in page
    client.force_login(other_candidate)
    assert "Decision made" not in client.get("/assessments/").content.decode()


@pytest.mark.parametrize("role", ["candidate", "assessor"])
def test_only_administrators_see_all_notifications(client, nine_of_ten, role, candidate, assessor):
    client.force_login({"candidate": candidate, "assessor": assessor}[role])
    assert client.get("/notifications/").status_code == 404


def test_rescheduling_and_cancelling_tell_everyone_with_an_updated_calendar_file(assessment, administrator, candidate):
    from datetime import timedelta

    from django.utils import timezone

    services.assessment_reschedule(
        actor=administrator,
        assessment=assessment,
        location="Brugge",
        scheduled_at=timezone.now() + timedelta(days=9),
        reason="Room unavailable",
    )
    services.assessment_cancel(actor=administrator, assessment=assessment, reason="Candidate ill")
    assert events(candidate) == ["rescheduled", "cancelled"]
    assert events(assessment.first_assessor) == ["rescheduled", "cancelled"]
    sent = [m for m in deliver() if m.to == [candidate.email]]
    moved, cancelled = sent
    assert moved.subject == "Uw assessment is verplaatst" and "Brugge" in moved.body
    assert cancelled.subject == "Uw assessment is geannuleerd"
    moved_ics, cancel_ics = moved.attachments[0][1], cancelled.attachments[0][1]
    assert "METHOD:PUBLISH" in moved_ics and "LOCATION:Brugge" in moved_ics
    assert "METHOD:CANCEL" in cancel_ics and "STATUS:CANCELLED" in cancel_ics
    uid = [line for line in moved_ics.splitlines() if line.startswith("UID:")]
    assert uid and uid[0] in cancel_ics
    assert [kind for _name, _content, kind in cancelled.attachments] == ["text/calendar"]


EVENT_PROPERTIES = {"UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "URL", "STATUS"}


def parsed_event(ics: str):
    """The calendar file as a calendar program reads it (the icalendar library): its one event."""
    calendar = Calendar.from_ical(ics)
    assert set(calendar) == {"VERSION", "PRODID", "METHOD"}
    assert [component.name for component in calendar.subcomponents] == ["VEVENT"]
    (event,) = calendar.subcomponents
    assert set(event) == EVENT_PROPERTIES and not event.subcomponents
    return event


def test_a_calendar_file_gives_back_the_place_exactly_in_folded_lines():
    place = (
        'Campus Noord, gebouw "B"; zaal 2\\3 — Rue de l\'Étuve 12, 1000 Bruxelles; '
        "entrée par la cour, à gauche, deuxième étage, salle Élodie-Brûlé (accès PMR)"
    )
    ics = assessment_event(factories.AssessmentFactory(location=place), summary="Assessment 0213; test, one")
    event = parsed_event(ics)
    assert str(event["LOCATION"]) == place and str(event["SUMMARY"]) == "Assessment 0213; test, one"
    lines = ics.encode().split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)  # RFC 5545 3.1: 75 octets a line
    assert b"\r" not in b"".join(lines) and b"\n" not in b"".join(lines)


def test_a_place_stored_with_line_breaks_adds_nothing_to_the_calendar_file():
    # As stored before places were checked: line breaks that would start properties of their own.
    place = "Gent\r\nATTENDEE:mailto:x@attacker.example\rURL:https://attacker.example\nBEGIN:VALARM"
    ics = assessment_event(factories.AssessmentFactory(location=place), summary="Assessment")
    event = parsed_event(ics)
    assert str(event["LOCATION"]) == place.replace("\r\n", "\n").replace("\r", "\n")
    assert "attacker" not in str(event["URL"])
    assert b"\r" not in ics.encode().replace(b"\r\n", b"")
