"""Celery tasks: thin, idempotent, retried; queued after the commit of the step they tell of."""

from celery import shared_task
from django.core.cache import cache

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def send_notification(self, notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


SWEEP_LOCK = "notifications:queue-pending"


@shared_task
def queue_pending_notifications() -> int:
    """Periodic sweep (beat): send again what a broker that was down left queued."""
    if not cache.add(SWEEP_LOCK, "held", timeout=55):
        return 0
    try:
        pending = services.notifications_to_resend()
        for notification_id in pending:
            services.send_to_worker(notification_id)
        return len(pending)
    finally:
        cache.delete(SWEEP_LOCK)
