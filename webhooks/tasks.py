"""Celery tasks: thin, idempotent; queued after the commit of what they tell of (decision 0033)."""

from celery import shared_task

from . import services


# No retry of its own: a failed attempt is retried on the schedule kept on the delivery's row
# (WEBHOOKS_RETRY_DELAYS, up to hours), which the sweep hands out when due; a long countdown on
# the broker would outlive Redis's visibility timeout and be delivered again early.
@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90)
def send_delivery(self, delivery_id: int) -> bool:
    return services.delivery_send(delivery_id=delivery_id, attempt_id=self.request.id or "eager")


SWEEP_LOCK = "webhooks:queue-pending"


@shared_task(soft_time_limit=50, time_limit=55)
def queue_pending_deliveries() -> int:
    """Periodic sweep (beat): hand to the worker the retries that are due, and again the deliveries
    whose message may be lost (a broker that was down, a worker that died while sending)."""
    return services.DELIVERIES.sweep(lock=SWEEP_LOCK, seconds=55, pending=services.deliveries_to_resend)


@shared_task(soft_time_limit=240, time_limit=270)
def purge_deliveries() -> int:
    """Delete the finished deliveries older than WEBHOOKS_DELIVERIES_KEPT_DAYS (beat, hourly)."""
    return services.deliveries_purge()
