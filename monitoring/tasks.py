"""Celery tasks of the monitoring: thin, idempotent."""

from celery import shared_task

from . import services


@shared_task(soft_time_limit=20, time_limit=30, ignore_result=True)
def heartbeat(queue: str) -> None:
    """Sent by beat to each queue: the worker that takes it proves the queue is served."""
    services.heartbeat_record(queues=[queue])
