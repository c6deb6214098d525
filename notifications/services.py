"""Queue a notification inside the step's transaction; send it from the worker after the commit."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assessments.models import Assessment

from .ics import assessment_event
from .models import Notification

logger = logging.getLogger(__name__)
Event = Notification.Event

SUBJECTS = {
    Event.SCHEDULED: gettext_lazy("Your assessment is scheduled"),
    Event.RESCHEDULED: gettext_lazy("Your assessment was moved"),
    Event.CANCELLED: gettext_lazy("Your assessment was cancelled"),
    Event.SHEET_WAITING: gettext_lazy("A score sheet is waiting for you"),
    Event.RECONCILIATION: gettext_lazy("The assessors' judgements need reconciliation"),
    Event.DECIDED: gettext_lazy("The decision on your assessment"),
    Event.DOCUMENT_READY: gettext_lazy("Your document is ready in the portal"),
    Event.DOCUMENT_REVOKED: gettext_lazy("A document has been revoked"),
    Event.OBJECTION_LODGED: gettext_lazy("An objection was received"),
    Event.OBJECTION_DECIDED: gettext_lazy("The outcome of the objection"),
}


CALENDAR_EVENTS = (Event.SCHEDULED, Event.RESCHEDULED, Event.CANCELLED)


def notify(*, recipients: list[User], event: str, assessment: Assessment, detail: str = "") -> list[Notification]:
    """Record one notification per person and send each once the step's transaction commits."""
    notifications = Notification.objects.bulk_create(
        Notification(recipient=person, event=event, assessment=assessment, detail=detail[:100])
        for person in recipients
        if person.is_active
    )
    for notification in notifications:
        transaction.on_commit(lambda pk=notification.pk: send_to_worker(pk))
    return notifications


def send_to_worker(notification_id: int) -> None:
    from .tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception:  # a broker that is down: the notification stays queued for the sweep
        logger.warning("Broker unavailable; notification %s stays queued.", notification_id, exc_info=True)


def notifications_to_resend() -> list[int]:
    """Queued for a while (broker down) or failed: the periodic sweep sends them again."""
    waited = timezone.now() - timezone.timedelta(seconds=settings.SUPPLEMENT_REQUEUE_AFTER_SECONDS)
    return list(
        Notification.objects.filter(status=Notification.Status.QUEUED, created_at__lt=waited).values_list(
            "pk", flat=True
        )
    )


def _message(notification: Notification) -> EmailMessage:
    person, assessment = notification.recipient, notification.assessment
    with translation.override(person.preferred_language):
        subject = str(SUBJECTS[notification.event])
        body = render_to_string(
            "notifications/email.txt",
            {
                "notification": notification,
                "person": person,
                "assessment": assessment,
                "link": f"{settings.PORTAL_BASE_URL}{assessment.get_absolute_url()}",
                "dashboard": f"{settings.PORTAL_BASE_URL}/assessments/",
            },
        )
        message = EmailMessage(subject=subject, body=body, to=[person.email])
        if notification.event in CALENDAR_EVENTS:
            # The calendar entry is made by the portal: date, place and a link, no personal file.
            summary = _("Assessment %(code)s %(title)s") % {
                "code": assessment.qualification.code,
                "title": assessment.qualification.title,
            }
            # The same event UID each time; a later SEQUENCE replaces (or cancels) the earlier entry.
            event = assessment_event(
                assessment,
                summary=summary,
                cancelled=notification.event == Event.CANCELLED,
                sequence=int(notification.created_at.timestamp()),
            )
            message.attach("assessment.ics", event, "text/calendar")
    return message


def notification_send(*, notification_id: int) -> bool:
    """Send one notification in its recipient's language; idempotent (a sent one is not sent again).

    A failure is recorded on the notification (visible to administrators) and raised for the retry.
    """
    notification = Notification.objects.select_related("recipient", "assessment__qualification").get(pk=notification_id)
    if notification.status == Notification.Status.SENT:
        return False
    try:
        _message(notification).send()
    except Exception as error:
        Notification.objects.filter(pk=notification_id).update(
            status=Notification.Status.FAILED,
            attempts=notification.attempts + 1,
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SENT, attempts=notification.attempts + 1, sent_at=timezone.now(), error=""
    )
    return True
