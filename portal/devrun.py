"""`make run`: the web server and the worker side by side; one Ctrl-C stops both.

Each runs in a session of its own, so the terminal's Ctrl-C reaches only this launcher. It then
asks the worker for a warm shutdown (SIGTERM to its main process: a running task finishes,
nothing new is taken) and stops the web server's process group (the autoreloader and the server
it restarts), waits, and kills whatever is still there after a grace period, or at once on a
second Ctrl-C. Nothing is left behind.

Usage: python -m portal.devrun HOST:PORT
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRACE_SECONDS = 20


class Stop(Exception):
    """A Ctrl-C or a SIGTERM reached the launcher."""


def _stop_on_signal(signum, frame):
    raise Stop


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, start_new_session=True)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _wait(processes: list[subprocess.Popen], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(process.poll() is not None for process in processes):
            return True
        time.sleep(0.1)
    return False


def stop(worker: subprocess.Popen, web: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: Celery waits for its running tasks
    _signal_group(web, signal.SIGTERM)
    try:
        signal.signal(signal.SIGINT, _stop_on_signal)
        finished = _wait([worker, web], GRACE_SECONDS)
    except Stop:  # a second Ctrl-C: do not wait for the running tasks
        finished = False
    if not finished:
        print("Stopping now.", file=sys.stderr, flush=True)
    # The worker's pool and beat, the server's autoreloader child: gone with their leader, or now.
    for process in (worker, web):
        _signal_group(process, signal.SIGKILL)
        process.wait()


def main(address: str) -> int:
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    worker = _start("-m", "celery", "-A", "portal", "worker", "--beat", "--loglevel=INFO", "--concurrency=2")
    web = _start("manage.py", "runserver", address)
    try:
        while worker.poll() is None and web.poll() is None:
            time.sleep(0.2)
        print("The web server or the worker stopped; stopping the other.", file=sys.stderr, flush=True)
    except Stop:
        print("\nStopping the web server and the worker (warm shutdown)...", file=sys.stderr, flush=True)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(worker, web)
    print("Stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
