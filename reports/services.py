"""The one writer of the reports' counters (decision 0024): a refresh that counts again what the
audit trail says changed since its last run, and a rebuild that counts everything again. Both hold
the lock on the one ``ReportState`` row for their whole transaction, so two never run together,
and both count with ``reports.counting``.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Case, F, Max, Min, Q, Value, When
from django.utils import timezone

from assessments.models import Assessment
from audit.models import AuditEntry

from .counting import KEYS, Facts, Key, Share, facts, store, tally
from .models import CountedAssessment, RefreshRequest, ReportState

logger = logging.getLogger(__name__)

# Assessments counted again per round of queries by a refresh and by the rebuild (a few tables
# read whole per round would cost the rebuild less than as many index lookups), and audit entries
# read per page.
BATCH = 1000
BUILD_BATCH = 10_000
ENTRIES_PER_PAGE = 10_000


def reports_refresh() -> bool:
    """Count again the assessments that audit entries since the last run are about; the first
    refresh counts everything. False when another refresh or a rebuild is running (skipped)."""
    started = timezone.now()
    with transaction.atomic():
        state = _locked_state(wait=False)
        if state is None:
            return False
        if state.built_at is None:
            _build(state, started)
        else:
            _refresh(state, started)
        RefreshRequest.objects.filter(requested_at__lte=started).delete()
    return True


def reports_rebuild() -> None:
    """Count everything again and swap the new counters in, in one transaction: the page reads the
    former counters until it commits. Waits for a running refresh."""
    started = timezone.now()
    with transaction.atomic():
        state = _locked_state(wait=True)
        if state is None:  # it waited for the lock on the row it has just made sure of
            raise RuntimeError("The reports' state row could not be locked.")
        _build(state, started)
        RefreshRequest.objects.filter(requested_at__lte=started).delete()


def refresh_request() -> RefreshRequest:
    """An administrator asks for fresh figures: the worker refreshes as soon as it can."""
    request = RefreshRequest.objects.create(requested_at=timezone.now())
    transaction.on_commit(_send_to_worker)
    return request


def _send_to_worker() -> None:
    """A broker that is down loses nothing: the periodic refresh comes anyway."""
    from .tasks import refresh_reports

    try:
        refresh_reports.delay()
    except Exception:
        logger.warning("Broker unavailable; the reports wait for their periodic refresh.", exc_info=True)


def _locked_state(*, wait: bool) -> ReportState | None:
    """The state row, locked until the transaction ends; None when someone else holds it and
    ``wait`` is false. (SQLite locks the whole database for a writing transaction instead.)"""
    ReportState.objects.get_or_create(pk=1)
    return ReportState.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()


def _settled_before(moment: datetime) -> datetime:
    """A transaction that was running before this has committed or rolled back by now."""
    return moment - timedelta(seconds=settings.REPORTS_REFRESH_OVERLAP_SECONDS)


def _refresh(state: ReportState, started: datetime) -> None:
    """Read the audit entries after the watermark and count again the assessments they are about.

    An entry's id is taken when it is written, before its transaction commits, so a later id can
    be seen while an earlier one is still on its way: the watermark cannot simply move to the
    highest id read. It moves there only once ``REPORTS_REFRESH_OVERLAP_SECONDS`` have passed
    since that read, when every transaction that was running then has ended; until then the
    entries after it are read again by each refresh, and counting an assessment again changes
    nothing when nothing changed.
    """
    if state.pending_since is not None and state.pending_since < _settled_before(started):
        state.watermark, state.pending_since = state.pending_watermark, None
    assessment_type = ContentType.objects.get_for_model(Assessment).pk
    last = state.watermark
    while page := list(
        AuditEntry.objects.filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", "subject_type_id", "subject_id")[:ENTRIES_PER_PAGE]
    ):
        _recount({subject for _pk, kind, subject in page if kind == assessment_type and subject is not None})
        last = page[-1][0]
    if state.pending_since is None:
        state.pending_watermark, state.pending_since = last, timezone.now()
    state.refreshed_at = started
    state.save(update_fields=["watermark", "pending_watermark", "pending_since", "refreshed_at"])


def _recount(assessment_ids: set[int]) -> None:
    """Replace what these assessments added to the counters by what they add now."""
    ordered = sorted(assessment_ids)
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        now = facts(Assessment.objects.filter(pk__in=batch))
        before = {row.assessment_id: Facts.of(row) for row in CountedAssessment.objects.filter(assessment__in=batch)}
        changed = [pk for pk in batch if now.get(pk) != before.get(pk)]
        if not changed:
            continue
        delta = tally(now[pk] for pk in changed if pk in now)
        delta.subtract(tally(before[pk] for pk in changed if pk in before))
        _add(delta)
        CountedAssessment.objects.filter(assessment__in=changed).delete()
        store({pk: now[pk] for pk in changed if pk in now})


def _add(delta: Share) -> None:
    """Add the amounts to the counters, creating the rows they name."""
    by_model: dict[type[models.Model], dict[Key, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for (model, key, field), amount in delta.items():
        if amount:
            by_model[model][key][field] = amount
    for model, deltas in by_model.items():
        names = KEYS[model]
        keys = sorted(deltas)
        model._default_manager.bulk_create(
            [model(**dict(zip(names, key, strict=True))) for key in keys], ignore_conflicts=True
        )
        match = {key: Q(**dict(zip(names, key, strict=True))) for key in keys}
        fields = sorted({field for changes in deltas.values() for field in changes})
        model._default_manager.filter(reduce(or_, match.values())).update(
            **{
                field: F(field)
                + Case(
                    *(When(match[key], then=Value(deltas[key][field])) for key in keys if field in deltas[key]),
                    default=Value(0),
                )
                for field in fields
            }
        )


def _build(state: ReportState, started: datetime) -> None:
    """Count every assessment into new counters, replacing the former ones in this transaction.

    The watermark is taken first: whatever changes while the assessments are read is counted
    again by the next refreshes.
    """
    # Entries older than the overlap are settled (their transactions are over), and so is the
    # watermark of earlier refreshes; the entries after them are read again by the next refreshes.
    settled = (
        AuditEntry.objects.filter(created_at__lt=_settled_before(started))
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    latest = AuditEntry.objects.aggregate(latest=Max("pk"))["latest"] or 0
    read_at = timezone.now()
    CountedAssessment.objects.all().delete()
    total = Share()
    bounds = Assessment.objects.aggregate(low=Min("pk"), high=Max("pk"))
    for low in range(bounds["low"] or 0, (bounds["high"] or -1) + 1, BUILD_BATCH):
        found = facts(Assessment.objects.filter(pk__gte=low, pk__lt=low + BUILD_BATCH))
        store(found)
        total.update(tally(found.values()))
    rows: dict[type[models.Model], dict[Key, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for (model, key, field), amount in total.items():
        rows[model][key][field] = amount
    for model, names in KEYS.items():
        model._default_manager.all().delete()
        model._default_manager.bulk_create(
            model(**dict(zip(names, key, strict=True)), **fields)
            for key, fields in rows[model].items()
            if any(fields.values())
        )
    state.watermark = max(settled or 0, state.watermark if state.built_at is not None else 0)
    state.pending_watermark, state.pending_since = latest, read_at
    state.refreshed_at = state.built_at = started
    state.save(update_fields=["watermark", "pending_watermark", "pending_since", "refreshed_at", "built_at"])
