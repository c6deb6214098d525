"""Celery tasks of the reports: the periodic refresh (beat) and the full rebuild."""

from celery import shared_task

from . import services


# A refresh takes milliseconds, but the first one counts everything: minutes at a million
# assessments, as long as the rebuild may take.
@shared_task(soft_time_limit=3300, time_limit=3600)
def refresh_reports() -> bool:
    """Periodic (beat, every ``REPORTS_REFRESH_SECONDS``) and on an administrator's request;
    skipped while another refresh or a rebuild holds the lock."""
    return services.reports_refresh()


@shared_task(soft_time_limit=3300, time_limit=3600)
def rebuild_reports() -> None:
    """Count everything again while the portal runs (``celery -A portal call reports.tasks.rebuild_reports``)."""
    services.reports_rebuild()
