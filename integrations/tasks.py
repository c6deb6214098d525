"""The worker's side of the API: the answers kept for an ``Idempotency-Key`` are deleted once
their window has passed (beat, ``portal.celery``)."""

from celery import shared_task

from .services import idempotent_responses_purge


@shared_task(soft_time_limit=240, time_limit=270)
def purge_idempotent_responses() -> int:
    """Delete the kept answers (and stale claims) older than the idempotency window."""
    return idempotent_responses_purge()
