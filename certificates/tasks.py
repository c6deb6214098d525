"""Celery tasks: thin, idempotent, retried. They take ids and call one service."""

from celery import shared_task

from . import services


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(Exception,),
    retry_backoff=5, retry_backoff_max=300, retry_jitter=True, max_retries=5,
)
def render_supplement(self, version_id: int) -> bool:
    return services.supplement_render(version_id=version_id, attempt_id=self.request.id or "eager")


@shared_task
def queue_pending_supplements() -> int:
    """Periodic sweep (beat): send again what a down broker or a dead worker left behind."""
    versions = services.supplements_to_resend()
    for version_id in versions:
        services.send_to_worker(version_id)
    return len(versions)
