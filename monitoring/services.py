"""The workers' heartbeat: each queue's last task taken, one row per queue."""

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, queues: list[str]) -> None:
    """A worker serving ``queues`` is alive now."""
    now = timezone.now()
    for queue in queues:
        Heartbeat.objects.update_or_create(queue=queue, defaults={"beaten_at": now})
