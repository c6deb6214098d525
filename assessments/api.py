"""What the apps above ``assessments`` may call (``certificates``, ``notifications``, and
``integrations``: the API calls the services, selectors and access rules the pages call).

Besides this module they may import ``assessments.models`` (a foreign key to an assessment, and
the fields of a row they were handed) and ``assessments.signals`` (to act on the steps); nothing
else of this app. See docs/decisions/0029.
"""

from datetime import datetime

from .access import get_assessment
from .documents import Document, Documents, register_documents
from .models import Assessment
from .selectors import assessment_list, carried_over, competency_pairs, next_steps
from .services import assessment_assign_assessors, assessment_cancel, assessment_create, assessment_reschedule
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
    "assessment_assign_assessors",
    "assessment_cancel",
    "assessment_create",
    "assessment_list",
    "assessment_locked",
    "assessment_reschedule",
    "carried_over",
    "competency_pairs",
    "get_assessment",
    "is_upcoming",
    "next_steps",
    "register_documents",
    "upcoming_sessions",
]
