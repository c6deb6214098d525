"""The health page: one JSON answer with every check, 503 as soon as one fails."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from monitoring.models import Heartbeat
from monitoring.services import heartbeat_record
from portal.celery import QUEUES

from ..clamd import SilentServer
from ..workers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def heartbeats():
    heartbeat_record(queues=list(QUEUES))


def health(client):
    response = client.get("/health/")
    return response.status_code, response.json()


def test_every_check_answers_and_all_is_well(client, heartbeats):
    status, report = health(client)
    assert status == 200
    assert set(report) == {"status", "database", "cache", "broker", "storage", "scanner", "worker"}
    assert report["status"] == "ok" and report["scanner"] == "disabled"


def test_the_scanner_is_asked_when_one_is_configured(client, heartbeats, scanner):
    status, report = health(client)
    assert (status, report["scanner"]) == (200, "ok")


@pytest.mark.parametrize("daemon", ["down", "silent"])
def test_a_scanner_that_is_down_or_hangs_fails_the_health_page(client, heartbeats, settings, daemon):
    silent = SilentServer() if daemon == "silent" else None
    settings.CLAMD_URL = silent.url if silent else f"tcp://127.0.0.1:{free_port()}"
    settings.CLAMD_TIMEOUT = 0.5
    try:
        status, report = health(client)
    finally:
        if silent:
            silent.stop()
    assert status == 503 and report["status"] == "error"
    assert report["scanner"].startswith("error") and report["database"] == "ok"


def test_a_cache_that_fails_fails_the_health_page(client, heartbeats):
    with mock.patch("django.core.cache.backends.locmem.LocMemCache.set", side_effect=ConnectionError):
        status, report = health(client)
    assert (status, report["cache"]) == (503, "error: ConnectionError")


def test_a_cache_that_forgets_fails_the_health_page(client, heartbeats):
    with mock.patch("django.core.cache.backends.locmem.LocMemCache.get", return_value=None):
        status, report = health(client)
    assert (status, report["cache"]) == (503, "error: what was written was not read back")


def test_a_storage_that_cannot_be_written_fails_the_health_page_and_keeps_nothing(client, heartbeats, settings):
    with mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=PermissionError):
        status, report = health(client)
    assert (status, report["storage"]) == (503, "error: PermissionError")
    status, report = health(client)
    assert (status, report["storage"]) == (200, "ok")
    assert not default_storage.listdir("health")[1]  # the probe deletes what it wrote


def test_a_database_that_fails_fails_the_health_page(client, heartbeats):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=RuntimeError):
        status, report = health(client)
    assert status == 503 and report["database"] == "error: RuntimeError"


def test_no_heartbeat_from_a_queue_fails_the_health_page(client):
    heartbeat_record(queues=["celery", "emails"])
    status, report = health(client)
    assert (status, report["worker"]) == (503, "error: no heartbeat from the renders queue yet")


def test_a_stale_heartbeat_fails_the_health_page(client, heartbeats, settings):
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 300
    Heartbeat.objects.filter(queue="emails").update(beaten_at=timezone.now() - timedelta(seconds=301))
    status, report = health(client)
    assert status == 503 and report["worker"].startswith("error: no heartbeat from the emails queue for 30")
    Heartbeat.objects.filter(queue="emails").update(beaten_at=timezone.now() - timedelta(seconds=290))
    assert health(client)[0] == 200


def test_the_heartbeat_task_records_its_queue(client):
    from monitoring.tasks import heartbeat

    heartbeat.apply(args=("renders",))
    assert set(Heartbeat.objects.values_list("queue", flat=True)) == {"renders"}


def test_beat_sends_a_heartbeat_through_every_queue():
    from portal.celery import app

    schedule = app.conf.beat_schedule
    sent = {entry["options"]["queue"] for entry in schedule.values() if entry["task"] == "monitoring.tasks.heartbeat"}
    assert sent == set(QUEUES)
