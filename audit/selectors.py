"""Reads of the audit trail."""

import functools
import operator
from collections.abc import Collection, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from portal.words import shown_codes

from .models import AuditEntry


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(**filters: Any) -> QuerySet[AuditEntry]:
    """Newest first, with the people they name, filtered (the arguments of ``audit_entry_sources``):
    every entry, as one query (an export reads them all)."""
    return functools.reduce(operator.or_, audit_entry_sources(**filters))


def audit_entry_sources(
    *,
    subject_type: ContentType | None = None,
    subject_id: int | None = None,
    action: str = "",
    person: User | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    search: str = "",
) -> list[QuerySet[AuditEntry]]:
    """The entries of the trail as filtered, in querysets that each read an index of their own in
    the trail's order, to be paged together (``portal.pagination.Keyset``).

    ``person``: what they did (index on actor, time) and what was recorded about their account
    (index on subject, time), two querysets. ``search``: a name, e-mail address or certificate
    number in the label or the summary of an entry (``icontains``, which PostgreSQL reads from the
    trigram indexes on ``UPPER(column::text)``, migration 0008).
    """
    entries = AuditEntry.objects.select_related("actor", "subject_type")
    if subject_type is not None and subject_id is not None:
        entries = entries.filter(subject_type=subject_type, subject_id=subject_id)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(created_at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    if search.strip():
        text = search.strip()
        entries = entries.filter(Q(subject_label__icontains=text) | Q(summary__icontains=text))
    if person is None:
        return [entries]
    account = ContentType.objects.get_for_model(User)
    return [entries.filter(actor=person), entries.filter(subject_type=account, subject_id=person.pk)]


def latest_about(subject: Model, limit: int = 10) -> list[AuditEntry]:
    """The latest entries about ``subject``, newest first."""
    return list(AuditEntry.objects.about(subject).select_related("actor")[:limit])


def entries_about(subject: Model, *, actions: Collection[str]) -> list[AuditEntry]:
    """The entries about ``subject`` of these actions, oldest first."""
    return list(AuditEntry.objects.about(subject).filter(action__in=actions).order_by("created_at", "pk"))


def audit_export_rows(entries: QuerySet[AuditEntry]) -> Iterator[tuple[Any, ...]]:
    """Entries as rows of a spreadsheet, newest first, read in chunks (any number of rows)."""
    actions = dict(AuditEntry.Action.choices)
    rows = entries.order_by("-created_at", "-pk").values_list(
        "created_at", "actor__email", "action", "subject_label", "summary"
    )
    for when, actor, action, about, summary in rows.iterator(chunk_size=2000):
        yield when, actor or "", str(actions.get(action, action)), about, shown_codes(summary)
