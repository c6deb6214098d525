"""What the apps above ``assessments`` may call (``certificates``, ``notifications``).

Besides this module they may import ``assessments.models`` (a foreign key to an assessment, and
the fields of a row they were handed) and ``assessments.signals`` (to act on the steps); nothing
else of this app. See docs/decisions/0029.
"""

from datetime import datetime

from .documents import Document, Documents, register_documents
from .models import Assessment
from .uploads import SizeLimitUploadHandler


def assessment_locked(assessment_id: int) -> Assessment:
    """The assessment with its candidate and qualification, its row locked until the caller's
    transaction ends: a concurrent caller waits here, then reads what the first one wrote."""
    return Assessment.objects.select_for_update().select_related("qualification", "candidate").get(pk=assessment_id)


def is_upcoming(assessment: Assessment) -> bool:
    """The session still lies ahead: it has neither started nor been cancelled."""
    return assessment.status == Assessment.Status.REGISTERED


def upcoming_sessions(*, after: datetime, until: datetime) -> list[Assessment]:
    """The upcoming sessions (``is_upcoming``) scheduled after ``after`` up to ``until``, with their people."""
    return list(
        Assessment.objects.with_people().filter(
            status=Assessment.Status.REGISTERED, scheduled_at__gt=after, scheduled_at__lte=until
        )
    )


__all__ = [
    "Document",
    "Documents",
    "SizeLimitUploadHandler",
    "assessment_locked",
    "is_upcoming",
    "register_documents",
    "upcoming_sessions",
]
