"""Prometheus metrics: who may read them, and the queues' lengths read from the broker when asked.

Never public by default: ``/metrics`` answers only a scraper that sends ``METRICS_TOKEN`` (as
``Authorization: Bearer …``) or comes from one of ``METRICS_ALLOWED_NETWORKS``; with neither
set it answers nobody. Anyone else gets the 404 of an unknown page.
"""

import hmac
import ipaddress
import logging
import os

from celery import current_app
from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily

from accounts.api import client_address

from .health import served_queues

logger = logging.getLogger(__name__)


def portal_registry() -> CollectorRegistry:
    """The counters of this process, or of every process of this machine's service when
    PROMETHEUS_MULTIPROC_DIR is set (gunicorn's workers, Celery's pool)."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class QueueLengths:
    """Messages waiting in each queue, asked from the broker at every scrape."""

    def collect(self):
        lengths = GaugeMetricFamily("portal_queue_messages", "Tasks waiting in each Celery queue", labels=["queue"])
        up = GaugeMetricFamily("portal_broker_up", "1 when the broker answered this scrape, else 0")
        try:
            with current_app.connection_for_read() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
                channel = conn.default_channel
                for queue in served_queues():
                    # Declaring is idempotent and answers with the count, on Redis as on the others.
                    lengths.add_metric([queue], channel.queue_declare(queue=queue, passive=False).message_count)
        except Exception as error:  # noqa: BLE001 -- a broker that is down is a value, not a failed scrape
            logger.warning("The broker did not answer the metrics scrape: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield lengths


def queue_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QueueLengths())
    return registry


def may_read_metrics(request) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    if not settings.METRICS_ALLOWED_NETWORKS:
        return False
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)
