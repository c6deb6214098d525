"""Reads of accounts."""

from collections.abc import Iterator
from functools import reduce
from operator import and_
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Case, Q, QuerySet, When
from django.utils.translation import gettext as _

from portal.queries import among

from .models import User
from .services import ROLES_CREATED_IN_PORTAL

# A search names a person by the start of their first name, last name or e-mail address; each
# word typed must match ("an pee" finds An Peeters).
SEARCH_WORDS = 4
SUGGESTIONS = 10


def people_matching(text: str) -> QuerySet[User]:
    words = text.split()[:SEARCH_WORDS]
    if not words:
        return User.objects.none()
    return User.objects.filter(
        reduce(
            and_,
            (
                Q(first_name__istartswith=word) | Q(last_name__istartswith=word) | Q(email__startswith=word.lower())
                for word in words
            ),
        )
    )


def _matching_first(accounts: QuerySet[User], search: str) -> QuerySet[User]:
    """``accounts`` whose name or e-mail address starts with what was searched, read from the
    prefix indexes before they are put in name order (``among``): asked in name order with a
    limit, PostgreSQL would walk the name index from "A" and read everyone before the Janssens."""
    return among(accounts, people_matching(search).values("pk"))


def people(*, search: str = "", role: str = "") -> QuerySet[User]:
    """The candidates and assessors administrators manage on the People page, by name."""
    accounts = User.objects.filter(role__in=ROLES_CREATED_IN_PORTAL)
    if role:
        accounts = accounts.filter(role=role)
    if search.strip():
        accounts = _matching_first(accounts, search)
    return accounts.order_by("last_name", "first_name", "pk")


def account_suggestions(*, search: str, role: str) -> list[User]:
    """The first few active accounts with this role whose name or e-mail address starts with what
    was typed: what a picker offers while someone types."""
    if len(search.strip()) < 2:
        return []
    people = _matching_first(User.objects.filter(is_active=True), search)
    if role:
        people = people.filter(role=role)
    return list(people.order_by("last_name", "first_name", "pk")[:SUGGESTIONS])


def people_export_rows(**filters: Any) -> Iterator[tuple[str, ...]]:
    """The People page's selection as rows of a spreadsheet, read in chunks (any number of rows)."""
    roles, languages = dict(User.Role.choices), dict(settings.LANGUAGES)
    # Django marks a password not chosen yet (an invitation not used) with this prefix; the
    # hashes themselves are never read.
    rows = (
        people(**filters)
        .annotate(invited=Case(When(password__startswith=UNUSABLE_PASSWORD_PREFIX, then=True), default=False))
        .values_list("last_name", "first_name", "email", "role", "preferred_language", "is_active", "invited")
    )
    for last, first, email, role, language, active, invited in rows.iterator(chunk_size=2000):
        yield last, first, email, str(roles[role]), str(languages.get(language, language)), _state(active, invited)


def _state(active: bool, invited: bool) -> str:
    if not active:
        return _("Deactivated")
    return _("Invitation sent") if invited else _("Active")
