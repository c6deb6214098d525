"""Celery tasks: thin, idempotent, retried; queued after the commit of what they tell of."""

from celery import shared_task

from portal.outbox import held

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
    # The mail server's own timeout (EMAIL_TIMEOUT) comes first; these stop a delivery stuck anyway.
    soft_time_limit=60,
    time_limit=90,
)
def send_notification(self, notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id, attempt_id=self.request.id or "eager")


SWEEP_LOCK = "notifications:queue-pending"


@shared_task(soft_time_limit=50, time_limit=55)
def queue_pending_notifications() -> int:
    """Periodic sweep (beat): hand again to the worker the e-mails whose message may be lost (a
    broker that was down, a worker that died while sending); fresh ones are left alone."""
    return services.EMAILS.sweep(lock=SWEEP_LOCK, seconds=55, pending=services.notifications_to_resend)


REMINDERS_LOCK = "notifications:reminders"


@shared_task(soft_time_limit=240, time_limit=270)
def send_reminders() -> int:
    """Periodic (beat): the reminders of the sessions 7 days and 1 day ahead, each once."""
    with held(REMINDERS_LOCK, 270) as mine:
        return services.reminders_send() if mine else 0
