"""Prometheus metrics: for the scrapers let in only, and counting what the portal does."""

import urllib.request
import uuid
from unittest import mock

import pytest
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile
from prometheus_client import REGISTRY

from accounts.services import invitation_send
from certificates import services as certificate_services
from notifications import services as notification_services
from notifications.models import Notification

from .. import flows
from ..emails import deliver
from ..workers import Worker, broker, free_port, wait_for

pytestmark = pytest.mark.django_db


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client, **headers) -> str:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_without_a_token_or_network_configured_nobody_reads_the_metrics(client, administrator):
    assert client.get("/metrics").status_code == 404
    client.force_login(administrator)  # not even an administrator: metrics are for the scraper
    assert client.get("/metrics").status_code == 404


def test_the_metrics_token_lets_the_scraper_in_and_nobody_else(client, settings):
    settings.METRICS_TOKEN = "a-long-random-scraper-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer another-token").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="a-long-random-scraper-token").status_code == 404
    body = scrape(client, HTTP_AUTHORIZATION="Bearer a-long-random-scraper-token")
    assert "# TYPE portal_renders_total counter" in body
    assert "django_http_requests_total_by_view_transport_method_total" in body  # django-prometheus


def test_an_allowed_network_lets_its_addresses_in(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.10").status_code == 404
    # Without trusted proxies, what a client writes in X-Forwarded-For is ignored.
    forged = client.get("/metrics", REMOTE_ADDR="192.168.1.10", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert forged.status_code == 404


def test_a_render_is_counted_with_its_duration(assessment):
    before = (value("portal_renders_total", outcome="rendered"), value("portal_render_seconds_count"))
    certificate = flows.certify(assessment).certificate
    version = certificate.versions.get()
    assert certificate_services.supplement_render(version_id=version.pk, attempt_id="metrics-test")
    after = (value("portal_renders_total", outcome="rendered"), value("portal_render_seconds_count"))
    assert after == (before[0] + 1, before[1] + 1)
    assert value("portal_render_seconds_sum") > 0


def test_a_failed_render_is_counted(assessment):
    certificate = flows.certify(assessment).certificate
    version = certificate.versions.get()
    before = value("portal_renders_total", outcome="failed")
    with (
        mock.patch("certificates.services._rendered_documents", side_effect=RuntimeError("font missing")),
        pytest.raises(RuntimeError),
    ):
        certificate_services.supplement_render(version_id=version.pk, attempt_id="metrics-test")
    assert value("portal_renders_total", outcome="failed") == before + 1


def test_sent_and_failed_e_mails_are_counted(candidate):
    sent, failed = value("portal_emails_total", outcome="sent"), value("portal_emails_total", outcome="failed")
    invitation_send(user=candidate)
    assert len(deliver()) == 1
    assert value("portal_emails_total", outcome="sent") == sent + 1
    invitation_send(user=candidate)
    notification = Notification.objects.get(status=Notification.Status.QUEUED)
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError),
        pytest.raises(ConnectionRefusedError),
    ):
        notification_services.notification_send(notification_id=notification.pk, attempt_id=uuid.uuid4().hex)
    assert value("portal_emails_total", outcome="failed") == failed + 1


def test_verifications_are_counted_by_kind_and_verdict(client):
    response = client.post("/verify/check.json", {"file": SimpleUploadedFile("credential.json", b'{"a": 1}')})
    kind, verdict = response.json()["kind"], response.json()["verdict"]
    before = value("portal_verifications_total", kind=kind, verdict=verdict)
    client.post("/verify/check.json", {"file": SimpleUploadedFile("credential.json", b'{"a": 1}')})
    assert value("portal_verifications_total", kind=kind, verdict=verdict) == before + 1
    unknown = value("portal_verifications_total", kind="page", verdict="unknown")
    assert client.get("/verify/no-such-code/").status_code == 404
    assert value("portal_verifications_total", kind="page", verdict="unknown") == unknown + 1


def test_the_queues_lengths_are_read_from_the_broker_at_each_scrape(client, settings):
    settings.METRICS_TOKEN = "token"

    def waiting(queue: str) -> float:
        for line in scrape(client, HTTP_AUTHORIZATION="Bearer token").splitlines():
            if line.startswith(f'portal_queue_messages{{queue="{queue}"}}'):
                return float(line.split()[-1])
        raise AssertionError(f"no length for {queue}")

    before = waiting("emails")
    for _ in range(3):
        current_app.send_task("notifications.tasks.send_notification", args=[0], queue="emails")
    try:
        assert waiting("emails") == before + 3
        assert "portal_broker_up 1.0" in scrape(client, HTTP_AUTHORIZATION="Bearer token")
    finally:
        with current_app.connection_for_write() as conn:
            conn.default_channel.queue_purge("emails")


def test_a_broker_that_is_down_is_reported_not_a_failed_scrape(client, settings):
    settings.METRICS_TOKEN = "token"
    with mock.patch("kombu.Connection.ensure_connection", side_effect=ConnectionRefusedError):
        body = scrape(client, HTTP_AUTHORIZATION="Bearer token")
    assert "portal_broker_up 0.0" in body and "portal_queue_messages{" not in body


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_serves_the_e_mails_it_sent_on_its_metrics_port(candidate, tmp_path):
    port, url = free_port(), "filesystem://localhost//"
    with broker(url, tmp_path):
        worker = Worker(url, tmp_path, env={"WORKER_METRICS_PORT": str(port)})
        try:
            invitation_send(user=candidate)

            def sent() -> bool:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                        return 'portal_emails_total{outcome="sent"} 1.0' in response.read().decode()
                except OSError:
                    return False

            wait_for(sent, timeout=60, message=f"the worker's metrics\n{worker.output()}")
        finally:
            worker.stop()
