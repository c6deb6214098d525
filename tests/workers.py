"""Real Celery workers and web servers in separate processes, sharing the test database and private files."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from kombu import pools

from portal.celery import QUEUES, app, broker_options

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def importable_from_anywhere() -> dict[str, str]:
    """What a process started in another folder needs to import the portal."""
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def database_url() -> str:
    """The URL of the database the tests run on (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@contextmanager
def broker(url: str, folder: Path, visibility_timeout: int = 3600):
    """Point this process's Celery app at a real broker for the duration, then back."""
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    options = broker_options(url, folder, visibility_timeout)

    def switch(to_url, to_options):
        # Drop every cached connection and producer (kombu keeps some per URL, globally).
        pools.reset()
        app._after_fork()
        app.conf.update(broker_url=to_url, broker_transport_options=to_options)

    switch(url, options)
    if not url.startswith("filesystem"):
        # Messages that other tests published to this Redis database name rows that are gone.
        with app.connection_for_write() as conn:
            for queue in QUEUES:
                conn.default_channel.queue_purge(queue)
    try:
        yield
    finally:
        switch(*previous)


class Worker:
    def __init__(
        self,
        broker_url: str,
        folder: Path,
        visibility_timeout: int = 3600,
        log: Path | None = None,
        env: dict | None = None,
        cwd: Path = ROOT,
    ):
        extra = env or {}
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_BROKER_FILESYSTEM_DIR": str(folder),
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "PORTAL_VAR_DIR": str(folder / "var"),
            "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
            **importable_from_anywhere(),
            **extra,
        }
        self.log = log or folder / "worker.log"
        self.log_file = open(self.log, "ab")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{time.time_ns()}@%h",
            ],
            cwd=cwd,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """Die at once, as a worker does when its machine fails: no chance to acknowledge."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        stop(self.process)
        self.log_file.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def status_of(url: str, timeout: float = 5) -> int:
    """The HTTP status of a GET, 0 when there is no answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class WebServer:
    """gunicorn with the Procfile's configuration (portal/gunicorn.conf.py) on a free port of
    127.0.0.1, with the development settings and the environment given."""

    def __init__(self, env: dict, *, log: Path, cwd: Path = ROOT, workers: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "ALLOWED_HOSTS": "127.0.0.1",
            "WEB_CONCURRENCY": str(workers),
            **importable_from_anywhere(),
            **env,
        }
        self.process = started(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "-c",
                str(ROOT / "portal" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=cwd,
            env=environment,
            log=log,
        )
        try:
            # It answers: a 503 only says that something it depends on (the worker, say) is not up yet.
            wait_for(lambda: status_of(f"{self.url}/health/") in (200, 503), timeout=60, message="the web server")
        except AssertionError:
            self.stop()
            raise AssertionError(self.output()) from None

    def stop(self) -> None:
        stop(self.process)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def started(command: list[str], *, cwd: Path, env: dict, log: Path) -> subprocess.Popen:
    """A process in a session of its own (so that ``stop`` ends its children too), its output
    appended to ``log``."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen, timeout: float = 35) -> None:
    """Ask the process and its children to stop; kill them when they take longer than ``timeout``."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition, timeout: float = 60, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")
