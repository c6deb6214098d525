"""Every e-mail the portal sends: the steps that concern people (SPEC rule 8), invitations and
password resets. One pipeline: stored in the transaction of what caused it, handed to the worker
after the commit, claimed before it is sent, retried, swept when stale.

Personal data: the recipient; the e-mail itself is made at sending time (from the assessment, or
with a fresh set-password link), so no message text and no link is stored.
"""

from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from portal.words import shown_codes


class Notification(models.Model):
    class Event(models.TextChoices):
        SCHEDULED = "scheduled", _("Assessment scheduled")
        RESCHEDULED = "rescheduled", _("Assessment rescheduled")
        CANCELLED = "cancelled", _("Assessment cancelled")
        SHEET_WAITING = "sheet_waiting", _("Score sheet waiting")
        RECONCILIATION = "reconciliation", _("Reconciliation needed")
        DECIDED = "decided", _("Decision made")
        DOCUMENT_READY = "document_ready", _("Document ready")
        DOCUMENT_REVOKED = "document_revoked", _("Document revoked")
        OBJECTION_LODGED = "objection_lodged", _("Objection received")
        OBJECTION_DECIDED = "objection_decided", _("Objection decided")
        INVITATION = "invitation", _("Invitation")
        PASSWORD_RESET = "password_reset", _("Password reset")
        REMINDER_WEEK = "reminder_week", _("Reminder a week before")
        REMINDER_DAY = "reminder_day", _("Reminder a day before")
        JOB_DONE = "job_done", _("Background job done")
        JOB_FAILED = "job_failed", _("Background job failed")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # A password reset that waited longer than its link's life is not sent: the person asks again.
        EXPIRED = "expired", _("Expired")

    # Sent once per person and scheduled date; the detail holds that date (``reminder_key``).
    REMINDERS = (Event.REMINDER_WEEK, Event.REMINDER_DAY)
    # About a background job of the recipient's; the detail holds the job's id (decision 0025).
    JOBS = (Event.JOB_DONE, Event.JOB_FAILED)

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    # None for the account e-mails (invitation, password reset).
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("assessment")
    )
    # A document number or an outcome, as it was when the step happened.
    detail = models.CharField(_("detail"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Last handed to the broker (None: never, the broker was down); the sweep waits on it.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    # The delivery that is sending it (the task's id) and since when: a claim older than
    # EMAIL_CLAIM_ABANDONED_AFTER_SECONDS belongs to a dead worker and is taken over.
    claimed_by = models.CharField(_("claimed by"), max_length=255, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        # The administrators' list reads pages newest first, of every e-mail or of one status.
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["created_at", "id"], name="notification_time_idx"),
            models.Index(fields=["status", "created_at", "id"], name="notification_status_time_idx"),
        ]
        constraints = [
            # Two beats, or a rerun, never remind twice of the same date; a new date is a new key.
            models.UniqueConstraint(
                fields=["assessment", "recipient", "event", "detail"],
                condition=models.Q(event__in=["reminder_week", "reminder_day"]),
                name="one_reminder_per_scheduled_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient}"

    @property
    def detail_shown(self) -> str:
        """The detail in the reader's language: a decision's or an objection's code read as words."""
        if self.event in self.REMINDERS or self.event in self.JOBS:
            return ""  # the scheduled date it keys on; the assessment shows the date
        return shown_codes(self.detail)


def reminder_key(scheduled_at) -> str:
    """A reminder's detail: the scheduled date it reminds of, in UTC, so a new date reminds again."""
    return scheduled_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
