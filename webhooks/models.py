"""Webhooks: the addresses administrators register, and each message the portal sends them
(decision 0033). A message is recorded in the transaction of the step it tells of, handed to the
worker after the commit, claimed before it is sent, retried on a schedule kept on its row, and
swept when its message to the worker may be lost.

Personal data: none. A message names the step and ids (an assessment's, an objection's, a
document's number); a consumer reads more through the portal's API with its own key.
"""

from urllib.parse import urlsplit

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    ASSESSMENT_SCHEDULED = "assessment.scheduled", _("Assessment scheduled")
    ASSESSMENT_RESCHEDULED = "assessment.rescheduled", _("Assessment moved")
    ASSESSMENT_CANCELLED = "assessment.cancelled", _("Assessment cancelled")
    ASSESSMENT_DECIDED = "assessment.decided", _("Assessment decided")
    DOCUMENT_ISSUED = "document.issued", _("Document issued")
    DOCUMENT_REVOKED = "document.revoked", _("Document revoked")
    OBJECTION_LODGED = "objection.lodged", _("Objection lodged")
    OBJECTION_DECIDED = "objection.decided", _("Objection decided")


class Endpoint(models.Model):
    """An address that receives the events it subscribed to, signed with its secret.

    The secret (``whsec_`` and base64) is kept as it is: the worker signs with it. It is shown
    once, when made or rotated, and never again.
    """

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(max_length=100)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def audit_label(self) -> str:
        # The host only: a query string may carry the receiver's own token.
        return f"webhook {urlsplit(self.url).netloc}"

    def get_events_display(self) -> list[str]:
        return [str(label) for value, label in Event.choices if value in self.events]


class Delivery(models.Model):
    """One message to one endpoint, with its attempts. ``body`` is the JSON exactly as signed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        # The endpoint was disabled after the message was recorded.
        SKIPPED = "skipped", _("Not sent (endpoint disabled)")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    # The ``webhook-id`` header: the same for every attempt, so a receiver sees a repeat.
    message_id = models.CharField(max_length=40, unique=True)
    body = models.TextField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a delivery waiting to retry is due; the sweep hands it to the worker then.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Last handed to the broker (None: never since it was queued or became due again).
    queued_at = models.DateTimeField(null=True, blank=True)
    # The task delivery that is sending it, and since when (an old claim belongs to a dead worker).
    claimed_by = models.CharField(max_length=255, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(fields=["status"]),
            # The purge reads the oldest rows (created_at below its cutoff), never the whole table.
            models.Index(fields=["created_at"], name="webhooks_delivery_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class Attempt(models.Model):
    """One try: the answer's status code and the start of its body, or why there was none."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    started_at = models.DateTimeField(_("when"))
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
