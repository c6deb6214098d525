"""Publish and sweep: rows that each ask the worker for one task, the task's message handed to the
broker after the commit that wrote them, and handed again by a periodic sweep when it may be lost.

The supplement renderings (decision 0004) and the e-mails (decision 0014) are such rows. A broker
that is down loses nothing: the row stays and the sweep hands it again once the broker is back. A
row records when its message last reached the broker, so that the sweep hands it at most once per
waiting period however long the worker lags.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

MARKED_AT_ONCE = 1000  # rows marked as handed by one UPDATE


@contextmanager
def held(lock: str, seconds: int) -> Iterator[bool]:
    """A lock for periodic work (beat): True when this run took it, False when another run holds
    it (two beats by mistake, a slow broker). Released at the end, or after ``seconds`` (set it to
    the task's time limit) when its holder died."""
    taken = cache.add(lock, "held", timeout=seconds)
    try:
        yield taken
    finally:
        if taken:
            cache.delete(lock)


@dataclass(frozen=True)
class Outbox:
    """The rows of ``model`` whose task (``task``, a dotted path, called with the row's id) may not
    have reached the broker; ``handed_at`` names the row's field that records when it last did."""

    model: type[models.Model]
    task: str
    handed_at: str
    noun: str  # for the log: "supplement version(s)"

    def publish(self, ids: Sequence[int]) -> int:
        """Hand each row's task to the broker, in order; returns how many reached it.

        At the first failure the rest are not tried (an import of thousands does not wait on a
        broker that is down thousands of times): they all stay for the sweep. The rows handed are
        marked together, in one transaction (one commit, not one per row: an import's thousands of
        e-mails would otherwise wait on thousands of disk flushes).
        """
        task = import_string(self.task)
        handed: list[int] = []
        try:
            for count, pk in enumerate(ids):
                try:
                    task.delay(pk)
                except Exception:
                    logger.warning(
                        "Broker unavailable; %s %s stay queued for the sweep.",
                        len(ids) - count,
                        self.noun,
                        exc_info=True,
                    )
                    break
                handed.append(pk)
        finally:
            self._mark_handed(handed)
        return len(handed)

    def _mark_handed(self, ids: list[int]) -> None:
        now = timezone.now()
        with transaction.atomic():
            for start in range(0, len(ids), MARKED_AT_ONCE):
                chunk = ids[start : start + MARKED_AT_ONCE]
                self.model._default_manager.filter(pk__in=chunk).update(**{self.handed_at: now})

    def stale(self, waiting: models.Q, *, waited: datetime) -> list[int]:
        """The rows ``waiting`` selects (waiting too long, or claimed by a worker that died) whose
        message did not reach the broker since ``waited``, in the order they were written."""
        not_handed_lately = models.Q(**{f"{self.handed_at}__isnull": True}) | models.Q(
            **{f"{self.handed_at}__lt": waited}
        )
        return list(
            self.model._default_manager.filter(waiting)
            .filter(not_handed_lately)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def sweep(self, *, lock: str, seconds: int, pending: Callable[[], list[int]]) -> int:
        """The periodic sweep: hand again what ``pending`` finds (``stale`` rows), under ``lock``;
        returns how many it found (0 while another sweep holds the lock)."""
        with held(lock, seconds) as mine:
            if not mine:
                return 0
            ids = pending()
            self.publish(ids)
            return len(ids)
