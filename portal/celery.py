"""The one Celery application of the portal; the worker runs ``celery -A portal worker``."""

import logging.config
from pathlib import Path

from celery import Celery, signals
from kombu import Exchange, Queue

from portal import request_ids
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
            # Also hands out the webhooks' retries when due: a retry waits at most a minute more.
            "queue-pending-webhooks": {
                "task": "webhooks.tasks.queue_pending_deliveries",
                "schedule": 60.0,
            },
            # The reports' figures, counted again from what changed since the last time.
            "refresh-reports": {
                "task": "reports.tasks.refresh_reports",
                "schedule": float(settings.REPORTS_REFRESH_SECONDS),
            },
            # Expired jobs and their files deleted, dead workers' jobs failed (decision 0025).
            "sweep-jobs": {
                "task": "jobs.tasks.sweep_jobs",
                "schedule": 300.0,
            },
            # The API's answers kept for an Idempotency-Key, deleted once their 24 hours have passed.
            "purge-idempotent-responses": {
                "task": "integrations.tasks.purge_idempotent_responses",
                "schedule": 3600.0,
            },
            # Webhook deliveries finished more than WEBHOOKS_DELIVERIES_KEPT_DAYS ago, deleted; hourly, so
            # each run deletes an hour's messages, and a first run cut short by its time limit goes on soon.
            "purge-webhook-deliveries": {
                "task": "webhooks.tasks.purge_deliveries",
                "schedule": 3600.0,
            },
            # Every 15 minutes: a reminder goes at most that late; each is recorded once.
            "send-reminders": {
                "task": "notifications.tasks.send_reminders",
                "schedule": 900.0,
            },
            # A heartbeat through each queue: the health page sees which are served (monitoring).
            **{
                f"heartbeat-{queue}": {
                    "task": "monitoring.tasks.heartbeat",
                    "schedule": 60.0,
                    "args": (queue,),
                    "options": {"queue": queue, "expires": 60},
                }
                for queue in QUEUES
            },
        },
        beat_schedule_filename=str(settings.VAR_DIR / "celerybeat-schedule"),
    )


app.autodiscover_tasks()


@signals.setup_logging.connect
def use_the_portals_logging(**kwargs) -> None:
    """The worker and beat log as the web processes do (settings.LOGGING: JSON in production, with
    the request id), instead of Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def carry_the_request_id(headers=None, **kwargs) -> None:
    """A task queued while a request is served carries the request's id."""
    request_id = request_ids.current()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


@signals.task_prerun.connect
def bind_the_request_id(task=None, **kwargs) -> None:
    """Bound while the task runs (in the calling request itself when the task runs eagerly)."""
    task.request.request_id_token = request_ids.bind(getattr(task.request, "request_id", None) or request_ids.current())


@signals.task_postrun.connect
def unbind_the_request_id(task=None, **kwargs) -> None:
    token = getattr(task.request, "request_id_token", None)
    if token is not None:
        request_ids.unbind(token)


@signals.worker_ready.connect
def first_heartbeat(sender=None, **kwargs) -> None:
    """A worker that starts says so at once for the queues it serves, before beat's next round."""
    from django.db import connections

    from monitoring.services import heartbeat_record

    queues = sender.task_consumer.queues if sender is not None and sender.task_consumer else []
    heartbeat_record(queues=[queue.name for queue in queues])
    connections.close_all()  # the pool's processes open their own


@signals.worker_init.connect
def export_worker_metrics(**kwargs) -> None:
    """Renders and e-mails are counted in the worker: it serves them to Prometheus itself when
    WORKER_METRICS_PORT is set (only on WORKER_METRICS_ADDRESS, 127.0.0.1 unless told)."""
    from django.conf import settings
    from prometheus_client import start_http_server

    from monitoring.metrics import portal_registry

    if settings.WORKER_METRICS_PORT:
        start_http_server(
            settings.WORKER_METRICS_PORT, addr=settings.WORKER_METRICS_ADDRESS, registry=portal_registry()
        )
