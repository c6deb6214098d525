"""Reads of the audit trail."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries(*, subject_type: ContentType | None = None, subject_id: int | None = None) -> QuerySet[AuditEntry]:
    """Newest first, with the people they name, optionally about one subject."""
    entries = AuditEntry.objects.select_related("actor", "subject_type")
    if subject_type is not None and subject_id is not None:
        entries = entries.filter(subject_type=subject_type, subject_id=subject_id)
    return entries


def latest_about(subject, limit: int = 10) -> list[AuditEntry]:
    return list(AuditEntry.objects.about(subject).select_related("actor")[:limit])
