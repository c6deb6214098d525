"""gunicorn's settings for the web process (Procfile: ``gunicorn portal.wsgi -c portal/gunicorn.conf.py``).

Threads, not sync workers: a client that sends its upload (or its headers) slowly holds one thread,
not a whole worker, so as many slow clients as there are workers leave the portal answering. The
reverse proxy in front buffers request bodies too (docs/deploy.md), so in production the slow part
never reaches gunicorn at all; this is the second line.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
# A request (a slow client's included) that takes longer than this is cut off.
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = "-"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set, a web worker that stopped drops out of the metrics' sums."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
