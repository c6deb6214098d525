"""The append-only audit trail (rule 7 of the procedure): who did what, when, about what.

An entry is about one subject (an assessment, an account), named by its content type, id and a
label stored with the entry, so the audit trail depends on no app above it and lists fast.
Personal data: the summary and details name files, competencies and e-mail addresses.
"""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.words import shown_codes


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")

    def about(self, subject: models.Model) -> "AuditQuerySet":
        return self.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)


class AuditEntry(models.Model):
    """Append-only. Written through ``audit.services.audit_record``."""

    class Action(models.TextChoices):
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_UPDATED = "account_updated", _("Account corrected")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
        ACCOUNT_REACTIVATED = "account_reactivated", _("Account reactivated")
        OIDC_LINKED = "oidc_linked", _("Sign-in service linked")
        OIDC_SIGNED_IN = "oidc_signed_in", _("Signed in with the sign-in service")
        OIDC_REFUSED = "oidc_refused", _("Sign-in with the sign-in service refused")
        ASSESSMENT_CREATED = "assessment_created", _("Assessment created")
        ASSESSORS_ASSIGNED = "assessors_assigned", _("Assessors assigned")
        ASSESSMENT_RESCHEDULED = "assessment_rescheduled", _("Assessment rescheduled")
        ASSESSMENT_CANCELLED = "assessment_cancelled", _("Assessment cancelled")
        ASSESSMENT_STARTED = "assessment_started", _("Assessment started")
        ASSESSMENT_ENDED = "assessment_ended", _("Assessment ended")
        PORTFOLIO_ADDED = "portfolio_added", _("Portfolio item added")
        PORTFOLIO_WITHDRAWN = "portfolio_withdrawn", _("Portfolio item withdrawn")
        FILE_DOWNLOADED = "file_downloaded", _("File downloaded")
        UPLOAD_INFECTED = "upload_infected", _("Infected file refused")
        JUDGEMENT_CHANGED = "judgement_changed", _("Judgement changed")
        OBSERVATION_ADDED = "observation_added", _("Observation added")
        SHEET_SUBMITTED = "sheet_submitted", _("Score sheet submitted")
        JUDGEMENT_REVISED = "judgement_revised", _("Judgement revised")
        DECISION = "decision", _("Decision")
        CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
        STATEMENT_ISSUED = "statement_issued", _("Statement of proven competencies issued")
        PARTIAL_ISSUED = "partial_issued", _("Proof of partial qualification issued")
        REASSESSMENT_SCHEDULED = "reassessment_scheduled", _("Re-assessment scheduled")
        OBJECTION_LODGED = "objection_lodged", _("Objection lodged")
        OBJECTION_DECIDED = "objection_decided", _("Objection decided")
        SUPPLEMENT_QUEUED = "supplement_queued", _("Supplement rendering queued")
        SUPPLEMENT_DOWNLOADED = "supplement_downloaded", _("Supplement downloaded")
        ISSUING_CENTRE_ENTERED = "issuing_centre_entered", _("Issuing centre entered")
        ISSUING_CENTRE_REVISED = "issuing_centre_revised", _("Issuing centre changed (new version)")
        API_KEY_CREATED = "api_key_created", _("API key made")
        API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
        WEBHOOK_CREATED = "webhook_created", _("Webhook endpoint added")
        WEBHOOK_CHANGED = "webhook_changed", _("Webhook endpoint changed")
        WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated", _("Webhook endpoint given a new secret")
        WEBHOOK_DELETED = "webhook_deleted", _("Webhook endpoint deleted")

    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # The foreign keys have no index of their own: the indexes below start with them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
        db_index=False,
    )
    action = models.CharField(_("what"), max_length=40, choices=Action.choices)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Codes and names only, so that it reads the same in every language.
    subject_label = models.CharField(_("about"), max_length=300, blank=True)
    summary = models.CharField(_("summary"), max_length=500)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # The API key the actor acted through (its name and prefix), empty for the portal's pages.
    api_key = models.CharField(_("through API key"), max_length=150, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        # The trail is read newest first, page after page, filtered by action or person or not: a
        # person's entries are the union of two of these (``selectors.audit_entry_sources``). The
        # search has trigram indexes on PostgreSQL only, outside this list (migration 0008).
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "created_at", "id"], name="audit_subject_time_idx"),
            models.Index(fields=["created_at", "id"], name="audit_time_idx"),
            models.Index(fields=["action", "created_at", "id"], name="audit_action_time_idx"),
            models.Index(fields=["actor", "created_at", "id"], name="audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    @property
    def summary_shown(self) -> str:
        return shown_codes(self.summary)

    def subject_url(self) -> str | None:
        """The subject's page, where its app has one (``<app>:detail`` by id)."""
        if self.subject_type is None:
            return None
        try:
            return reverse(f"{self.subject_type.app_label}:detail", args=[self.subject_id])
        except NoReverseMatch:
            return None
