"""As many slow uploads as there are web workers still leave the portal answering.

Starts gunicorn on 127.0.0.1 with the Procfile's configuration (portal/gunicorn.conf.py) against
the test database; every loop here is bounded in time.
"""

import socket
import threading
import time
import urllib.request

import pytest

from monitoring.services import heartbeat_record
from portal.celery import QUEUES

from .workers import ROOT, WebServer, database_url

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
WORKERS = 2
ANSWER_WITHIN = 5  # seconds; the slow uploads keep going for longer than the whole check


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=ANSWER_WITHIN) as response:
            return response.status
    except OSError:
        return 0


class SlowUpload:
    """A client that announces a large form and sends it a byte at a time. It carries a CSRF
    cookie, so Django reads the body (for the form's token) instead of refusing at once."""

    def __init__(self, port: int, stop: threading.Event):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(
            b"POST /accounts/password/reset/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail="
        )
        self.thread = threading.Thread(target=self._trickle, args=(stop,), daemon=True)
        self.thread.start()

    def _trickle(self, stop: threading.Event) -> None:
        deadline = time.monotonic() + 60
        while not stop.wait(0.5) and time.monotonic() < deadline:
            try:
                self.sock.sendall(b"a")
            except OSError:
                return

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def gunicorn(tmp_path, settings):
    env = {
        "DATABASE_URL": database_url(),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "CELERY_BROKER_FILESYSTEM_DIR": str(tmp_path / "broker"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    heartbeat_record(queues=list(QUEUES))  # no worker runs here: the health page would say so
    server = WebServer(env, log=tmp_path / "gunicorn.log", workers=WORKERS)
    yield server.port
    server.stop()


def test_slow_uploads_on_every_worker_leave_health_and_pages_answering(gunicorn):
    stop = threading.Event()
    uploads = [SlowUpload(gunicorn, stop) for _ in range(WORKERS)]
    try:
        time.sleep(1)  # each upload has been taken by a worker and is waiting for its body
        for path in ("/health/", "/accounts/login/"):
            started = time.monotonic()
            assert get(f"http://127.0.0.1:{gunicorn}{path}") == 200, path
            assert time.monotonic() - started < ANSWER_WITHIN, path
    finally:
        stop.set()
        for upload in uploads:
            upload.close()


def test_the_procfile_runs_the_configuration_tested_here():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "-c portal/gunicorn.conf.py" in web and "--worker-class" not in web and "--threads" not in web
