"""Each message is signed (Standard Webhooks), verified by a receiver with the library, retried with
longer waits after a failed attempt, and given up once the waits are used up."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from webhooks import sending, services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def recorded(event=Event.ASSESSMENT_DECIDED, data=None) -> Delivery:
    (delivery,) = services.deliveries_record(event=event, data=data or {"assessment": 7})
    return delivery


def send(delivery: Delivery, attempt_id: str = "task-1") -> bool:
    return services.delivery_send(delivery_id=delivery.pk, attempt_id=attempt_id)


def due_now(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_delivery_is_signed_and_the_receiver_verifies_it_with_the_standard_webhooks_library(endpoint, receiver):
    delivery = recorded(data={"assessment": 42, "qualification": "0213"})
    assert send(delivery) is True
    (received,) = receiver.received
    assert received.error == ""
    assert received.payload["type"] == "assessment.decided"
    assert received.payload["data"] == {"assessment": 42, "qualification": "0213"}
    assert received.headers["webhook-id"] == delivery.message_id
    assert received.headers["webhook-signature"].startswith("v1,")
    assert received.headers["content-type"] == "application/json"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 1)
    (attempt,) = delivery.attempt_set.all()
    assert (attempt.status_code, attempt.response, attempt.error) == (200, "thanks", "")


def test_a_signature_made_with_another_secret_does_not_verify(endpoint, receiver):
    before_rotation = endpoint.secret
    receiver.secret = services.endpoint_rotate_secret(actor=None, endpoint=endpoint).secret
    assert receiver.secret != before_rotation
    old = Webhook(before_rotation)
    delivery = recorded()
    send(delivery)
    (received,) = receiver.received
    assert received.payload is not None  # the new secret verifies the next attempt at once
    with pytest.raises(Exception, match="No matching signature"):
        old.verify(received.body, received.headers)


def test_a_500_is_retried_after_longer_waits_then_given_up(endpoint, receiver, settings, monkeypatch):
    settings.WEBHOOKS_RETRY_DELAYS = (60, 300)
    monkeypatch.setattr(services.random, "uniform", lambda low, high: 1)
    receiver.answers = [(500, b"database down", 0.0)]
    delivery = recorded()
    before = timezone.now()
    assert send(delivery) is False
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRYING
    assert timedelta(seconds=59) < delivery.next_attempt_at - before < timedelta(seconds=62)
    assert (delivery.attempt_set.get().status_code, delivery.attempt_set.get().response) == (500, "database down")

    assert send(delivery, "task-early") is False  # a message before the retry is due sends nothing
    assert len(receiver.received) == 1

    due_now(delivery)
    before = timezone.now()
    assert send(delivery, "task-2") is False
    delivery.refresh_from_db()
    assert timedelta(seconds=299) < delivery.next_attempt_at - before < timedelta(seconds=302)

    due_now(delivery)
    assert send(delivery, "task-3") is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Status.FAILED, 3, None)
    assert len(receiver.received) == 3
    # Every attempt signed afresh and verified; the same message id each time.
    assert {item.headers["webhook-id"] for item in receiver.received} == {delivery.message_id}
    assert all(item.payload is not None for item in receiver.received)


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_each_wait_varies_by_up_to_a_tenth(endpoint, receiver, settings, monkeypatch, factor):
    settings.WEBHOOKS_RETRY_DELAYS = (100,)
    drawn = []
    monkeypatch.setattr(services.random, "uniform", lambda low, high: drawn.append((low, high)) or factor)
    receiver.answers = [(500, b"", 0.0)]
    delivery = recorded()
    before = timezone.now()
    send(delivery)
    delivery.refresh_from_db()
    assert drawn == [(0.9, 1.1)]
    assert timedelta(seconds=100 * factor - 1) < delivery.next_attempt_at - before < timedelta(seconds=100 * factor + 1)


def test_a_retry_that_succeeds_delivers(endpoint, receiver):
    receiver.answers = [(503, b"", 0.0), (204, b"", 0.0)]
    delivery = recorded()
    send(delivery)
    due_now(delivery)
    assert send(delivery, "task-2") is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 2)
    assert [a.status_code for a in delivery.attempt_set.order_by("pk")] == [503, 204]


def test_a_receiver_that_does_not_answer_in_time_is_retried(endpoint, receiver, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.2
    receiver.answers = [(200, b"too late", 1.0)]
    delivery = recorded()
    assert send(delivery) is False
    delivery.refresh_from_db()
    attempt = delivery.attempt_set.get()
    assert (delivery.status, attempt.status_code) == (Status.RETRYING, None)
    assert "timed out" in attempt.error


def test_a_redirect_is_not_followed(endpoint, receiver):
    receiver.answers = [(302, b"", 0.0)]
    delivery = recorded()
    assert send(delivery) is False
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_set.get().status_code) == (Status.RETRYING, 302)


def test_only_the_start_of_an_answer_is_kept(endpoint, receiver):
    receiver.answers = [(200, b"x" * 5000, 0.0)]
    delivery = recorded()
    send(delivery)
    assert len(delivery.attempt_set.get().response) == sending.RESPONSE_EXCERPT


def test_a_message_to_an_endpoint_disabled_since_is_not_sent(endpoint, receiver):
    delivery = recorded()
    services.endpoint_update(
        actor=None, endpoint=endpoint, url=endpoint.url, description="", events=endpoint.events, is_active=False
    )
    assert send(delivery) is False
    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.status == Status.SKIPPED


def test_a_second_message_for_a_delivery_being_sent_sends_nothing(endpoint, receiver):
    delivery = recorded()
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, claimed_by="other", claimed_at=timezone.now())
    assert send(delivery) is False
    assert receiver.received == []


def test_a_delivery_left_by_a_dead_worker_is_taken_over_after_the_set_age(endpoint, receiver, settings):
    settings.WEBHOOKS_CLAIM_ABANDONED_AFTER_SECONDS = 300
    delivery = recorded()
    long_ago = timezone.now() - timedelta(seconds=301)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, claimed_by="dead", claimed_at=long_ago)
    assert delivery.pk in services.deliveries_to_resend()
    assert send(delivery) is True
