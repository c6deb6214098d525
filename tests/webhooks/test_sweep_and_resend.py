"""The sweep hands out what may be lost and the retries that are due; "send again" makes one more
attempt of a message, with its id and a fresh signature."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from webhooks import services, tasks
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db
Status = Delivery.Status


@pytest.fixture
def handed(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("webhooks.tasks.send_delivery.delay", sent.append)
    return sent


def recorded() -> Delivery:
    (delivery,) = services.deliveries_record(event=Event.OBJECTION_LODGED, data={"objection": 1})
    return delivery


def aged(delivery: Delivery, **fields) -> Delivery:
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    return delivery


def test_the_sweep_picks_up_a_delivery_whose_publish_was_lost(endpoint, handed, settings):
    settings.WEBHOOKS_REQUEUE_AFTER_SECONDS = 120
    lost = aged(recorded(), created_at=timezone.now() - timedelta(seconds=121))
    fresh = recorded()
    assert tasks.queue_pending_deliveries() == 1
    assert handed == [lost.pk]
    assert fresh.pk not in services.deliveries_to_resend()
    lost.refresh_from_db()
    assert lost.queued_at is not None
    assert services.deliveries_to_resend() == []  # handed just now: not again at the next sweep


def test_the_sweep_hands_a_retry_when_it_is_due_and_not_before(endpoint, handed):
    waiting = aged(recorded(), status=Status.RETRYING, next_attempt_at=timezone.now() + timedelta(seconds=30))
    assert services.deliveries_to_resend() == []
    aged(waiting, next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert tasks.queue_pending_deliveries() == 1
    assert handed == [waiting.pk]


def test_the_sweep_leaves_it_to_the_one_that_holds_the_lock(endpoint, handed):
    aged(recorded(), created_at=timezone.now() - timedelta(hours=1))
    from portal.outbox import held

    with held(tasks.SWEEP_LOCK, 55):
        assert tasks.queue_pending_deliveries() == 0
    assert handed == []


def test_send_again_makes_one_more_attempt_with_the_same_id(
    endpoint, receiver, handed, settings, client, administrator, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_DELAYS = ()
    receiver.answers = [(500, b"", 0.0), (200, b"ok", 0.0)]
    delivery = recorded()
    services.delivery_send(delivery_id=delivery.pk, attempt_id="t1")
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED

    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webhooks/deliveries/{delivery.pk}/resend/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED
    assert handed == [delivery.pk]  # handed after the commit

    assert services.delivery_send(delivery_id=delivery.pk, attempt_id="t2") is True
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.message_id
    assert second.payload is not None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 2)


def test_a_message_on_its_way_is_not_sent_again(endpoint):
    delivery = recorded()
    with pytest.raises(ValidationError) as refused:
        services.delivery_resend(delivery=delivery)
    assert refused.value.code == "on_its_way"
