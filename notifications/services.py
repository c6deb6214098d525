"""Every e-mail: recorded inside the transaction of what caused it, sent by the worker after the
commit, claimed before it is sent (decision 0014)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.api import invitation_message, password_reset_message
from accounts.models import User
from assessments.api import is_upcoming, upcoming_sessions
from assessments.models import Assessment
from portal import metrics
from portal.outbox import Outbox

from .ics import assessment_event
from .models import Notification, reminder_key

Event = Notification.Event
Status = Notification.Status

SUBJECTS: dict[str, Promise] = {
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
    Event.REMINDER_WEEK: gettext_lazy("Your assessment is in a week"),
    Event.REMINDER_DAY: gettext_lazy("Your assessment is tomorrow"),
    Event.JOB_DONE: gettext_lazy("Your export or import is done"),
    Event.JOB_FAILED: gettext_lazy("Your export or import failed"),
}


CALENDAR_EVENTS = (Event.SCHEDULED, Event.RESCHEDULED, Event.CANCELLED)


def notify(
    *, recipients: list[User], event: str, assessment: Assessment | None = None, detail: str = ""
) -> list[Notification]:
    """Record one e-mail per active person and hand them to the worker once the transaction commits."""
    unsaved = [
        Notification(recipient=person, event=event, assessment=assessment, detail=detail[:100])
        for person in recipients
        if person.is_active
    ]
    gathered = _gathered.get()
    if gathered is not None:
        gathered += unsaved
        return unsaved
    notifications = Notification.objects.bulk_create(unsaved)
    ids = [notification.pk for notification in notifications]
    if ids:
        _send_after_commit(ids)
    return notifications


# The e-mails of an import written all or none, recorded together at its end (``emails_together``).
_gathered: ContextVar[list[Notification] | None] = ContextVar("notifications_gathered", default=None)
RECORDED_AT_ONCE = 1000  # e-mails per INSERT


@contextmanager
def emails_together() -> Iterator[None]:
    """While an import writes its rows all or none (``portal.imports.write_together``): the e-mails
    ``notify`` makes are recorded at the end, in the same transaction, a thousand per INSERT, and
    handed to the worker after its commit like any others; on an error, none is."""
    notifications: list[Notification] = []
    token = _gathered.set(notifications)
    try:
        yield
    finally:
        _gathered.reset(token)
    ids = [saved.pk for saved in Notification.objects.bulk_create(notifications, batch_size=RECORDED_AT_ONCE)]
    if ids:
        _send_after_commit(ids)


class _Batch:
    """The e-mails recorded in one transaction, handed to the worker together once it commits."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def send(self) -> None:
        # An e-mail recorded in a savepoint rolled back since (a refused row of an import) is gone.
        recorded = set(Notification.objects.filter(pk__in=self.ids).values_list("pk", flat=True))
        send_to_worker([pk for pk in self.ids if pk in recorded])


def _send_after_commit(ids: list[int]) -> None:
    """Hand the e-mails to the worker after the commit, all of a transaction's in one go: an import
    of thousands of assessments publishes once, not once per row.

    The batch is the one whose ``send`` still waits among the connection's commit hooks; none
    waits after a commit, a rollback, or the rollback of the savepoint that registered it (Django
    drops its hooks), and a new batch starts.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        send_to_worker(ids)
        return
    waiting = [
        hook.__self__
        for _savepoints, hook, _robust in connection.run_on_commit
        if isinstance(getattr(hook, "__self__", None), _Batch)
    ]
    if waiting:
        waiting[0].ids += ids
        return
    batch = _Batch()
    batch.ids += ids
    transaction.on_commit(batch.send)


# How long before a session each reminder goes; a session nearer than the next step's window
# gets only that one (the week's reminder is not sent the day before).
REMINDER_WINDOWS = (
    (Event.REMINDER_DAY, timedelta(0), timedelta(days=1)),
    (Event.REMINDER_WEEK, timedelta(days=1), timedelta(days=7)),
)


def _remind_once(person: User, event: str, assessment: Assessment) -> int | None:
    """Record one reminder unless this person was reminded of this date already (the database's
    unique constraint decides, so two sweeps at once cannot both record it)."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=person, event=event, assessment=assessment, detail=reminder_key(assessment.scheduled_at)
            ).pk
    except IntegrityError:
        return None


def reminders_send() -> int:
    """Remind the candidate and both assessors of each session that has not started, 7 days and
    1 day before it, once per scheduled date; returns how many reminders were recorded."""
    now = timezone.now()
    ids = []
    for event, nearest, farthest in REMINDER_WINDOWS:
        for assessment in upcoming_sessions(after=now + nearest, until=now + farthest):
            for person in (assessment.candidate, assessment.first_assessor, assessment.second_assessor):
                if person.is_active and (pk := _remind_once(person, event, assessment)) is not None:
                    ids.append(pk)
    if ids:
        transaction.on_commit(lambda: send_to_worker(ids))
    return len(ids)


# Each e-mail asks for its sending; ``queued_at`` records when its message last reached the broker.
EMAILS = Outbox(
    model=Notification, task="notifications.tasks.send_notification", handed_at="queued_at", noun="e-mail(s)"
)


def send_to_worker(notification_ids: list[int]) -> int:
    """Hand e-mails to the worker; returns how many reached the broker. A broker that is down loses
    nothing: the rest are not tried and all stay queued for the sweep (``Outbox.publish``)."""
    return EMAILS.publish(notification_ids)


def notifications_to_resend() -> list[int]:
    """E-mails whose message may be lost, for the periodic sweep; never a fresh one.

    Queued for a while without a message on the broker lately (the broker was down, or lost it),
    or claimed by a delivery that stopped long ago (its worker died while sending). Failed ones
    are retried by their task with backoff; once the retries are used up an administrator sends
    them again from the E-mails page.
    """
    now = timezone.now()
    waited = now - timedelta(seconds=settings.EMAIL_REQUEUE_AFTER_SECONDS)
    abandoned = now - timedelta(seconds=settings.EMAIL_CLAIM_ABANDONED_AFTER_SECONDS)
    return EMAILS.stale(
        Q(status=Status.QUEUED, created_at__lt=waited) | Q(status=Status.SENDING, claimed_at__lt=abandoned),
        waited=waited,
    )


def notification_resend(*, notification: Notification) -> Notification:
    """An administrator sends a failed e-mail again (the worker's retries are used up)."""
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
            status=Status.QUEUED, error=""
        )
        if not updated:
            raise ValidationError(_("Only a failed e-mail can be sent again."), code="not_failed")
        transaction.on_commit(lambda: send_to_worker([notification.pk]))
    notification.refresh_from_db()
    return notification


ACCOUNT_MESSAGES: dict[str, Callable[[User], EmailMessage]] = {
    Event.INVITATION: invitation_message,
    Event.PASSWORD_RESET: password_reset_message,
}


def _message(notification: Notification) -> EmailMessage:
    if notification.event in ACCOUNT_MESSAGES:
        return ACCOUNT_MESSAGES[notification.event](notification.recipient)
    person, assessment = notification.recipient, notification.assessment
    if notification.event in Notification.JOBS:
        return _job_message(notification)
    if assessment is None:  # every other event is about an assessment
        raise ValueError(f"E-mail {notification.pk} ({notification.event}) names no assessment.")
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


def _job_message(notification: Notification) -> EmailMessage:
    """A background job of the recipient's ended; the page says what it did (no file is attached)."""
    person = notification.recipient
    with translation.override(person.preferred_language):
        body = render_to_string(
            "notifications/job_email.txt",
            {
                "notification": notification,
                "person": person,
                "link": f"{settings.PORTAL_BASE_URL}{reverse('jobs:detail', args=[notification.detail])}",
            },
        )
        return EmailMessage(subject=str(SUBJECTS[notification.event]), body=body, to=[person.email])


def _claim(notification_id: int, attempt_id: str) -> bool:
    """Take the e-mail for this delivery with one conditional update, before any SMTP.

    A second delivery of the same task (same id) finds it claimed and sends nothing; only a
    claim older than EMAIL_CLAIM_ABANDONED_AFTER_SECONDS (its worker died) is taken over.
    """
    abandoned = timezone.now() - timedelta(seconds=settings.EMAIL_CLAIM_ABANDONED_AFTER_SECONDS)
    return bool(
        Notification.objects.filter(pk=notification_id)
        .filter(Q(status__in=[Status.QUEUED, Status.FAILED]) | Q(status=Status.SENDING, claimed_at__lt=abandoned))
        .update(status=Status.SENDING, claimed_by=attempt_id, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    )


def _expired(notification: Notification) -> bool:
    """An e-mail that waited past what it says is not sent: a reset link asked for longer ago than
    a link lives (the person asks again), anything to an account deactivated since, a reminder of
    a session cancelled, started or moved since (a moved one is reminded of its new date)."""
    if not notification.recipient.is_active:
        return True
    if notification.event == Event.PASSWORD_RESET:
        return timezone.now() - notification.created_at > timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    if notification.event in Notification.REMINDERS:
        session = notification.assessment
        return session is None or not is_upcoming(session) or reminder_key(session.scheduled_at) != notification.detail
    return False


def notification_send(*, notification_id: int, attempt_id: str) -> bool:
    """Send one e-mail once: claim, send, mark sent. Returns True when this delivery sent it.

    A failure is recorded on the e-mail (shown to administrators) and raised for the retry. A
    worker that dies between the mail server's acceptance and "sent" leaves a claim the sweep
    takes over later: such an e-mail may go out twice, but is never lost (decision 0014).
    """
    if not _claim(notification_id, attempt_id):
        return False
    mine = Notification.objects.filter(pk=notification_id, status=Status.SENDING, claimed_by=attempt_id)
    notification = Notification.objects.select_related("recipient", "assessment__qualification").get(pk=notification_id)
    if _expired(notification):
        mine.update(status=Status.EXPIRED)
        return False
    try:
        _message(notification).send()
    except Exception as error:
        metrics.EMAILS.labels(outcome="failed").inc()
        mine.update(status=Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        raise
    metrics.EMAILS.labels(outcome="sent").inc()
    mine.update(status=Status.SENT, sent_at=timezone.now(), error="")
    return True
