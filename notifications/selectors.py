from django.db.models import Q, QuerySet

from accounts.models import User

from .models import Notification


def notifications_of(person: User, limit: int = 10) -> list[Notification]:
    """A person's latest notifications of steps of their assessments and of their background jobs,
    for their dashboard (one query)."""
    return list(
        Notification.objects.filter(
            Q(assessment__isnull=False) | Q(event__in=Notification.JOBS), recipient=person
        ).select_related("assessment__qualification")[:limit]
    )


def notification_list(status: str = "") -> QuerySet[Notification]:
    """Every notification for administrators (of one status, when given); the page reads them newest first."""
    notifications = Notification.objects.select_related("recipient", "assessment__qualification")
    if status:
        notifications = notifications.filter(status=status)
    return notifications
