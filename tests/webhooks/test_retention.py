"""Deliveries are kept WEBHOOKS_DELIVERIES_KEPT_DAYS once finished, then purged with their attempts,
a batch at a time; a message still on its way is never purged, however old."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.celery import app as celery_app
from webhooks import services, tasks
from webhooks.models import Attempt, Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db
Status = Delivery.Status


@pytest.fixture
def endpoint(administrator) -> Endpoint:
    return services.endpoint_create(
        actor=administrator, url="https://hooks.example.org/", description="CRM", events=Event.values
    )


@pytest.fixture
def kept_days(settings) -> int:
    settings.WEBHOOKS_DELIVERIES_KEPT_DAYS = 7
    return 7


def delivery(endpoint: Endpoint, status: str, age: timedelta) -> Delivery:
    made = Delivery.objects.create(
        endpoint=endpoint, event=Event.DOCUMENT_ISSUED, body="{}", message_id=f"msg_{uuid.uuid4().hex}"
    )
    made.attempt_set.create(started_at=timezone.now(), status_code=200)
    Delivery.objects.filter(pk=made.pk).update(status=status, created_at=timezone.now() - age)
    return made


def test_finished_deliveries_older_than_the_kept_days_are_deleted_with_their_attempts(endpoint, kept_days):
    old, recent = timedelta(days=kept_days, minutes=1), timedelta(days=kept_days, minutes=-1)
    purged = [delivery(endpoint, status, old) for status in (Status.DELIVERED, Status.FAILED, Status.SKIPPED)]
    kept = [delivery(endpoint, status, recent) for status in Status.values]
    assert services.deliveries_purge() == len(purged)
    assert set(Delivery.objects.values_list("pk", flat=True)) == {d.pk for d in kept}
    assert set(Attempt.objects.values_list("delivery", flat=True)) == {d.pk for d in kept}


def test_a_delivery_on_its_way_is_kept_however_old(endpoint, kept_days):
    on_its_way = [
        delivery(endpoint, status, timedelta(days=400)) for status in (Status.QUEUED, Status.SENDING, Status.RETRYING)
    ]
    assert services.deliveries_purge() == 0
    assert Delivery.objects.count() == len(on_its_way) == 3
    assert Attempt.objects.count() == 3


def test_the_purge_deletes_a_batch_at_a_time_until_none_is_left(endpoint, kept_days, monkeypatch):
    monkeypatch.setattr(services, "PURGED_AT_ONCE", 2)
    for _ in range(5):
        delivery(endpoint, Status.DELIVERED, timedelta(days=30))
    with CaptureQueriesContext(connection) as queries:
        assert services.deliveries_purge() == 5
    deletes = [q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "webhooks_delivery"')]
    assert len(deletes) == 3  # 2, 2 and 1
    assert not Delivery.objects.exists() and not Attempt.objects.exists()


def test_the_purge_runs_hourly_in_beat(endpoint, kept_days):
    delivery(endpoint, Status.FAILED, timedelta(days=30))
    (entry,) = [e for e in celery_app.conf.beat_schedule.values() if e["task"] == "webhooks.tasks.purge_deliveries"]
    assert entry["schedule"] == 3600.0
    assert tasks.purge_deliveries() == 1


def test_the_deliveries_page_says_how_long_messages_are_kept(client, administrator, endpoint, kept_days):
    client.force_login(administrator)
    page = client.get(f"/webhooks/{endpoint.pk}/deliveries/").content.decode()
    assert "deleted, with its answers, 7 days after it was recorded" in page
