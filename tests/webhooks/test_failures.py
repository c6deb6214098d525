"""Whatever goes wrong while a message is sent, the attempt is recorded as failed and the delivery
waits for its next retry or fails: it is never left "sending" and sent again and again."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.utils import timezone

from webhooks import sending, services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def recorded() -> Delivery:
    (delivery,) = services.deliveries_record(event=Event.DOCUMENT_ISSUED, data={})
    return delivery


@pytest.mark.parametrize("port", ["99999", "0"])
def test_a_port_out_of_range_is_refused(administrator, port):
    with pytest.raises(ValidationError) as refused:
        services.endpoint_create(
            actor=administrator,
            url=f"https://hooks.example.org:{port}/",
            description="",
            events=[Event.DOCUMENT_ISSUED],
        )
    assert refused.value.error_dict["url"][0].code == "url_port"
    with pytest.raises(sending.Refused):
        sending.post(f"https://hooks.example.org:{port}/", body=b"{}", headers={})


def test_a_host_name_that_is_no_valid_name_is_refused():
    assert sending.url_refusal("https://hooks..example.org/") == "host"
    assert sending.url_refusal(f"https://{'a' * 64}.example.org/") == "host"


@pytest.mark.parametrize(
    "error", [ValueError("unexpected"), UnicodeError("label empty"), SoftTimeLimitExceeded("the task's time is up")]
)
def test_any_error_while_sending_is_a_failed_attempt_retried_later(endpoint, monkeypatch, error):
    def post(*args, **kwargs):
        raise error

    monkeypatch.setattr(sending, "post", post)
    delivery = recorded()
    assert services.delivery_send(delivery_id=delivery.pk, attempt_id="t") is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.RETRYING, 1)
    assert delivery.attempt_set.get().error == f"{type(error).__name__}: {error}"


def test_nul_characters_of_an_answer_are_not_stored(endpoint, receiver):
    receiver.answers = [(500, b"bad\x00answer", 0.0)]
    delivery = recorded()
    services.delivery_send(delivery_id=delivery.pk, attempt_id="t")
    attempt = Delivery.objects.get(pk=delivery.pk).attempt_set.get()
    assert (attempt.status_code, attempt.response) == (500, "badanswer")


class Trickling:
    """A receiver on 127.0.0.1 that answers one byte every tenth of a second, for three seconds."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hooks/"
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 30:
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)


def test_a_receiver_trickling_its_answer_is_cut_off_at_the_deadline(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    trickling = Trickling()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        sending.post(trickling.url, body=b"{}", headers={})
    assert time.monotonic() - started < 1.5
    trickling.server.close()


def test_a_name_that_does_not_resolve_in_time_is_given_up(monkeypatch, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.3
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: time.sleep(2))
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        sending.post("https://slow-dns.example.org/", body=b"{}", headers={})
    assert time.monotonic() - started < 1


def test_a_claim_abandoned_on_the_last_attempt_fails_the_delivery(endpoint, receiver, settings):
    settings.WEBHOOKS_RETRY_DELAYS = (60, 300)
    settings.WEBHOOKS_CLAIM_ABANDONED_AFTER_SECONDS = 300
    delivery = recorded()
    long_ago = timezone.now() - timedelta(seconds=301)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, claimed_by="dead", claimed_at=long_ago, attempts=3
    )
    assert services.delivery_send(delivery_id=delivery.pk, attempt_id="t") is False
    assert receiver.received == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Status.FAILED, 3, None)
