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
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        subject_label=_label(subject)[:300],
        summary=summary[:500],
        data=data,
        api_key=_acting_key.get(),
    )
