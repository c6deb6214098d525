"""`make run`'s launcher: one Ctrl-C stops the web server and the worker, and nothing is left."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from .workers import ROOT, database_url, free_port, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def processes_marked(marker: str) -> list[int]:
    """Our own processes that inherited the marker in their environment (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_one_ctrl_c_stops_the_web_server_and_the_worker_with_nothing_left(tmp_path, settings):
    port, marker = free_port(), f"PORTAL_RUN_TEST={uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "CELERY_BROKER_FILESYSTEM_DIR": str(tmp_path / "broker"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        marker.split("=")[0]: marker.split("=")[1],
    }
    log = tmp_path / "run.log"
    with open(log, "wb") as output:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "portal.devrun", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the test's SIGINT reaches the launcher as a terminal's would
        )
        try:
            wait_for(lambda: answers(f"http://127.0.0.1:{port}/health/"), timeout=60, message="the web server")
            wait_for(lambda: b"ready." in log.read_bytes(), timeout=60, message="the worker")
            assert answers(f"http://127.0.0.1:{port}/accounts/login/")
            assert len(processes_marked(marker)) >= 4  # launcher, reloader, server, worker and its pool
            started = time.monotonic()
            launcher.send_signal(signal.SIGINT)
            launcher.wait(timeout=30)
            stopped_in = time.monotonic() - started
            left = processes_marked(marker)
        finally:
            if launcher.poll() is None:
                os.killpg(launcher.pid, signal.SIGKILL)
            for pid in processes_marked(marker):
                os.kill(pid, signal.SIGKILL)
    output = log.read_text(errors="replace")
    assert launcher.returncode == 0, output
    assert stopped_in < 20, output
    assert "Warm shutdown" in output and "Stopped." in output
    assert output.count("Warm shutdown") == 1  # one signal to the worker, not a storm of them
    assert not answers(f"http://127.0.0.1:{port}/health/")
    assert left == [], output
