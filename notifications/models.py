"""E-mails telling people of the steps that concern them (SPEC rule 8).

Personal data: the recipient; the e-mail itself is made at sending time from the assessment.
"""

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

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessment"))
    # A document number or an outcome, as it was when the step happened.
    detail = models.CharField(_("detail"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient}"

    @property
    def detail_shown(self) -> str:
        """The detail in the reader's language: a decision's or an objection's code read as words."""
        return shown_codes(self.detail)
