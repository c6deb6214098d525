"""The one way to write to the audit trail (rule 7 of the procedure)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.models import User

from .models import AuditEntry

Action = AuditEntry.Action
# Who did it: a person (signed in or not, as a request names them) or nobody (the worker, a command).
Actor = User | AnonymousUser | None

# The API key a request acts through (its name and prefix), named by every entry the request writes.
_acting_key: ContextVar[str] = ContextVar("acting_key", default="")


@contextmanager
def api_key_scope() -> Iterator[Callable[[str], None]]:
    """While a request of the API runs: the entries it writes name the key the function yielded is
    given (once the request is authenticated); afterwards, none does."""
    token = _acting_key.set("")

    def acting(label: str) -> None:
        _acting_key.set(label[:150])

    try:
        yield acting
    finally:
        _acting_key.reset(token)


def _label(subject: models.Model | None) -> str:
    """A model names itself in the trail with ``audit_label`` (codes and names), else ``str``."""
    if subject is None:
        return ""
    return getattr(subject, "audit_label", None) or str(subject)


def audit_record(
    *, actor: Actor, action: str, summary: str, subject: models.Model | None = None, **data: Any
) -> AuditEntry:
    """Append an entry about ``subject``. Call it inside the transaction of the change it records,
    so both land or neither."""
    entry = AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        subject_label=_label(subject)[:300],
        summary=summary[:500],
        data=data,
        api_key=_acting_key.get(),
    )
    gathered = _gathered.get()
    if gathered is None:
        entry.save(force_insert=True)
    else:
        gathered.append(entry)
    return entry


# The entries of an import written all or none, inserted together at its end (``entries_together``).
_gathered: ContextVar[list[AuditEntry] | None] = ContextVar("audit_gathered", default=None)
ENTRIES_AT_ONCE = 1000  # entries per INSERT


@contextmanager
def entries_together() -> Iterator[None]:
    """While an import writes its rows all or none (``portal.imports.write_together``): the entries
    ``audit_record`` makes are inserted at the end, in the same transaction, a thousand per INSERT,
    instead of one INSERT each; on an error, none is. Each keeps the time it was recorded at. Not
    for work that undoes part of itself (a savepoint rolled back would leave its entries here)."""
    entries: list[AuditEntry] = []
    token = _gathered.set(entries)
    try:
        yield
    finally:
        _gathered.reset(token)
    AuditEntry.objects.bulk_create(entries, batch_size=ENTRIES_AT_ONCE)
