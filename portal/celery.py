"""The one Celery application of the portal; the worker runs ``celery -A portal worker``."""

from pathlib import Path

from celery import Celery
from kombu import Exchange, Queue

from portal.settings import use_settings

use_settings()

app = Celery("portal")

# Renders and e-mails wait in queues of their own, so a flood of e-mails does not delay
# certificates and a slow render does not hold e-mails. A worker started without -Q serves all
# three; production may run one worker per queue (docs/deploy.md).
QUEUES = ("celery", "renders", "emails")
ROUTES = {
    "certificates.tasks.render_supplement": {"queue": "renders"},
    "notifications.tasks.send_notification": {"queue": "emails"},
}


def broker_options(url: str, filesystem_dir: Path, visibility_timeout: int) -> dict:
    """Transport options: folders for the file-system broker, a visibility timeout for Redis."""
    if not url.startswith("filesystem"):
        # Look for messages of dead workers about as often as they can expire, not every 100 s.
        return {
            "visibility_timeout": visibility_timeout,
            "unacked_restore_interval": max(1, min(10, visibility_timeout // 2)),
            "unacked_restore_throttle": 1,
        }
    for sub in ("queue", "processed", "control"):
        (filesystem_dir / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(filesystem_dir / "queue"),
        "data_folder_out": str(filesystem_dir / "queue"),
        "processed_folder": str(filesystem_dir / "processed"),
        "control_folder": str(filesystem_dir / "control"),
    }


@app.on_configure.connect
def configure_from_django(sender: Celery, **kwargs) -> None:
    from django.conf import settings

    sender.conf.update(
        broker_url=settings.CELERY_BROKER_URL,
        broker_transport_options=broker_options(
            settings.CELERY_BROKER_URL, settings.CELERY_BROKER_FILESYSTEM_DIR, settings.CELERY_VISIBILITY_TIMEOUT
        ),
        broker_connection_retry_on_startup=True,
        task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER,
        task_ignore_result=True,
        # A render is acknowledged only when it finished, so a worker that dies mid-render
        # leaves the message to be delivered again.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One message reserved per worker process: a long render does not keep queued e-mails
        # (or other renders) waiting behind it in its own process.
        worker_prefetch_multiplier=1,
        # Each queue with an exchange and a routing key of its own: a message goes to one queue only.
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
        task_default_queue="celery",
        task_routes=ROUTES,
        # Publishing when the broker is down must fail fast: the request that certified
        # stays quick, and the periodic sweep sends the task once the broker is back.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        broker_connection_timeout=3,
        timezone=settings.TIME_ZONE,
        beat_schedule={
            "queue-pending-supplements": {
                "task": "certificates.tasks.queue_pending_supplements",
                "schedule": 60.0,
            },
            "queue-pending-notifications": {
                "task": "notifications.tasks.queue_pending_notifications",
                "schedule": 60.0,
            },
            # The reports' figures, counted again from what changed since the last time.
            "refresh-reports": {
                "task": "reports.tasks.refresh_reports",
                "schedule": float(settings.REPORTS_REFRESH_SECONDS),
            },
            # Every 15 minutes: a reminder goes at most that late; each is recorded once.
            "send-reminders": {
                "task": "notifications.tasks.send_reminders",
                "schedule": 900.0,
            },
        },
        beat_schedule_filename=str(settings.VAR_DIR / "celerybeat-schedule"),
    )


app.autodiscover_tasks()
