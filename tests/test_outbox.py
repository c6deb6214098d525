"""Publish and sweep (``portal.outbox``), the one helper of the supplement renderings and the
e-mails: what reaches the broker is marked, a broker that is down is tried once, the sweep hands
again only what waited without reaching it lately, and only one sweep runs at a time."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from notifications.models import Notification
from portal.outbox import Outbox, held

from . import factories

pytestmark = pytest.mark.django_db


class Broker:
    """A task's ``delay`` as the outbox calls it: records the ids, or fails from the ``down``-th call on."""

    def __init__(self) -> None:
        self.handed: list[int] = []
        self.down: int | None = None

    def delay(self, pk: int) -> None:
        if self.down is not None and len(self.handed) >= self.down:
            raise ConnectionError("broker down")
        self.handed.append(pk)


task = Broker()
OUTBOX = Outbox(model=Notification, task=f"{__name__}.task", handed_at="queued_at", noun="e-mail(s)")
WAITING = Q(status=Notification.Status.QUEUED)


@pytest.fixture(autouse=True)
def broker():
    task.handed, task.down = [], None
    return task


def rows(count: int) -> list[int]:
    person = factories.AssessorFactory()
    return [Notification.objects.create(recipient=person, event=Notification.Event.INVITATION).pk for _ in range(count)]


def handed_at(ids: list[int]) -> list:
    return [Notification.objects.get(pk=pk).queued_at for pk in ids]


def test_each_row_is_handed_in_order_and_marked_when_it_reached_the_broker(broker):
    ids = rows(3)
    assert OUTBOX.publish(ids) == 3
    assert broker.handed == ids
    assert all(moment is not None for moment in handed_at(ids))


def test_a_broker_that_is_down_is_tried_once_and_the_rest_stay_for_the_sweep(broker):
    ids = rows(4)
    broker.down = 1
    assert OUTBOX.publish(ids) == 1
    assert broker.handed == ids[:1]
    marked = handed_at(ids)
    assert marked[0] is not None and marked[1:] == [None, None, None]


def test_the_sweep_hands_again_only_what_waits_without_reaching_the_broker_lately(broker):
    never, long_ago, lately, sent = rows(4)
    now = timezone.now()
    Notification.objects.filter(pk=long_ago).update(queued_at=now - timedelta(hours=1))
    Notification.objects.filter(pk=lately).update(queued_at=now)
    Notification.objects.filter(pk=sent).update(status=Notification.Status.SENT)
    stale = OUTBOX.stale(WAITING, waited=now - timedelta(minutes=2))
    assert stale == [never, long_ago]
    assert OUTBOX.sweep(lock="test:sweep", seconds=5, pending=lambda: stale) == 2
    assert broker.handed == [never, long_ago]
    assert OUTBOX.stale(WAITING, waited=now - timedelta(minutes=2)) == []  # handed just now


def test_a_sweep_while_another_holds_the_lock_does_nothing_and_the_lock_is_released_after(broker):
    ids = rows(1)
    with held("test:sweep", 5) as first:
        assert first
        assert OUTBOX.sweep(lock="test:sweep", seconds=5, pending=lambda: ids) == 0
        assert broker.handed == []
    assert OUTBOX.sweep(lock="test:sweep", seconds=5, pending=lambda: ids) == 1
    assert cache.get("test:sweep") is None


def test_a_run_that_did_not_take_the_lock_leaves_it_to_its_holder():
    cache.add("test:lock", "held")
    with held("test:lock", 5) as mine:
        assert not mine
    assert cache.get("test:lock") == "held"
