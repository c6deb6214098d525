"""What the health page checks: every service the portal needs, each answered "ok", "disabled" or
"error: …" (a kind of failure, never a secret or a personal detail).

Each check is short: the broker, the cache and the scanner are given a few seconds at most, so a
load balancer's probe answers even when one of them hangs.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from portal import scanning

from .models import Heartbeat

OK, DISABLED = "ok", "disabled"
PROBE_SECONDS = 3


class Unhealthy(Exception):
    """A check found its service wanting; the message says how, for the operator."""


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK


def check_cache() -> str:
    key, value = f"health:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 10)
    try:
        if cache.get(key) != value:
            raise Unhealthy("what was written was not read back")
    finally:
        cache.delete(key)
    return OK


def check_broker() -> str:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return OK


def _private_storages() -> list[str]:
    """Every storage of the settings but the static files: where uploads and documents go."""
    return [alias for alias in settings.STORAGES if alias != "staticfiles"]


def check_storage() -> str:
    """A small object written, read back and deleted, through the storage API: the same on a
    folder and on an object store."""
    for alias in _private_storages():
        storage = storages[alias]
        value = secrets.token_bytes(16)
        name = storage.save(f"health/{secrets.token_hex(8)}", ContentFile(value))
        try:
            with storage.open(name, "rb") as handle:
                if handle.read() != value:
                    raise Unhealthy(f"{alias}: what was written was not read back")
        finally:
            storage.delete(name)
    return OK


def check_scanner() -> str:
    if not scanning.configured():
        return DISABLED
    try:
        scanning.ping(timeout=min(settings.CLAMD_TIMEOUT, PROBE_SECONDS))
    except scanning.ScannerUnavailable as error:
        raise Unhealthy(str(error)) from error
    return OK


def served_queues() -> list[str]:
    return [queue.name for queue in current_app.conf.task_queues or []] or [current_app.conf.task_default_queue]


def check_worker() -> str:
    """Every queue was served lately: its heartbeat is younger than WORKER_HEARTBEAT_STALE_SECONDS."""
    limit = settings.WORKER_HEARTBEAT_STALE_SECONDS
    beats = dict(Heartbeat.objects.values_list("queue", "beaten_at"))
    now = timezone.now()
    for queue in served_queues():
        if queue not in beats:
            raise Unhealthy(f"no heartbeat from the {queue} queue yet")
        if now - beats[queue] > timedelta(seconds=limit):
            raise Unhealthy(f"no heartbeat from the {queue} queue for {int((now - beats[queue]).total_seconds())} s")
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "scanner": check_scanner,
    "worker": check_worker,
}


def health_report() -> dict[str, str]:
    """Every check's answer; a check that fails in any way reports it and never raises."""
    report = {}
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Unhealthy as problem:
            report[name] = f"error: {problem}"
        except Exception as error:  # noqa: BLE001 -- report any failure, never raise
            report[name] = f"error: {type(error).__name__}"
    return report


def healthy(report: dict[str, str]) -> bool:
    return all(answer in (OK, DISABLED) for answer in report.values())
