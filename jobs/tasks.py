"""The worker's side of the jobs: in the default queue ("celery"), beside the sweeps; renders and
e-mails keep queues of their own (portal.celery)."""

from celery import shared_task
from django.conf import settings

from portal.outbox import held

from .services import job_run, jobs_sweep


@shared_task(soft_time_limit=settings.JOB_TIME_LIMIT_SECONDS, time_limit=settings.JOB_TIME_LIMIT_SECONDS + 60)
def run_job(job_id: int) -> None:
    """One job: claimed first (a second delivery finds it claimed and does nothing)."""
    job_run(job_id=job_id)


@shared_task(soft_time_limit=240, time_limit=270)
def sweep_jobs() -> None:
    """Expired jobs and their files deleted, dead workers' jobs failed; one sweep at a time."""
    with held("jobs:sweep", 270) as taken:
        if taken:
            jobs_sweep()
