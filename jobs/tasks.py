from celery import shared_task
from django.conf import settings

from portal.outbox import held

from .services import job_run, jobs_sweep


@shared_task(
    queue="celery", time_limit=settings.JOB_TIME_LIMIT_SECONDS + 60, soft_time_limit=settings.JOB_TIME_LIMIT_SECONDS
)
def run_job(job_id: int) -> None:
    """One job: claimed first (a second delivery finds it claimed and does nothing)."""
    job_run(job_id=job_id)


@shared_task(queue="celery", time_limit=300)
def sweep_jobs() -> None:
    """Expired jobs and their files deleted; one sweep at a time."""
    with held("jobs:sweep", 300) as taken:
        if taken:
            jobs_sweep()
