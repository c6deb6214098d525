"""Celery tasks: thin, idempotent, retried. They take ids and call one service."""

import logging

from celery import Task, shared_task
from django.core.mail import mail_admins

from . import services
from .catalogues import CatalogueMissing

logger = logging.getLogger(__name__)


class RenderTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Called once the retries are used up: the version shows "failed"; tell the administrators."""
        logger.error("Supplement version %s could not be rendered: %s", args[0] if args else "?", exc)
        mail_admins(
            "A certificate supplement could not be rendered",
            f"Supplement version {args[0] if args else '?'} failed after its retries: {exc}\n"
            "Open the assessment in the portal and press Retry once the cause is fixed.",
            fail_silently=True,
        )


@shared_task(
    base=RenderTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    # A catalogue missing from the deployment does not come back by waiting: failed at once.
    dont_autoretry_for=(CatalogueMissing,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    # A render takes seconds; one stuck (a font, a seal server) is stopped instead of holding a
    # worker forever. Both limits are well below STALE_RENDER_AFTER, so the sweep never takes over
    # a render that is still running.
    soft_time_limit=240,
    time_limit=300,
)
def render_supplement(self, version_id: int) -> bool:
    return services.supplement_render(version_id=version_id, attempt_id=self.request.id or "eager")


SWEEP_LOCK = "certificates:queue-pending-supplements"


@shared_task(soft_time_limit=50, time_limit=55)
def queue_pending_supplements() -> int:
    """Periodic sweep (beat): send again what a down broker or a dead worker left behind; skips
    while another sweep holds the lock."""
    return services.RENDERINGS.sweep(lock=SWEEP_LOCK, seconds=55, pending=services.supplements_to_resend)
