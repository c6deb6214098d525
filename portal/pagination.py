"""Pages of long lists.

``page_of`` numbers the pages (it counts the rows: for short lists, such as one person's
assessments). ``keyset_page`` serves "first / previous / next / last" pages of any length: it
continues after (or before) the row the reader saw last, read from an index that matches the
order, so every page costs the same, whether the list holds a thousand rows or a million; it
never counts them.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator

# Django's row comparison ``(a, b) > (x, y)``: on PostgreSQL and SQLite it reads an index on
# (a, b) from the given row on. Public in Django's composite primary key support (5.2).
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from .ids import parse_id

PAGE_SIZE = 20
# The query parameters of a keyset page; anything else in the query string (filters) is kept.
KEYSET_PARAMETERS = ("after", "before", "at", "page")


def page_of(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current filters, to carry over to the other pages."""
    query = request.GET.copy()
    for name in KEYSET_PARAMETERS:
        query.pop(name, None)
    return query.urlencode()


@dataclass
class KeysetPage:
    object_list: list
    first_url: str = ""
    previous_url: str = ""
    next_url: str = ""
    last_url: str = ""
    query: str = field(default="", repr=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.previous_url or self.next_url)


class Keyset:
    """The order of a list as the columns of an index, unique together (the last one is ``pk``).

    The list is a queryset, or the union of several (a list of querysets over one model, each
    read from an index of its own in this order). ``a = X OR b = Y`` as one query has no index
    in that order: the planner walks the order's index and filters, the whole index when X and Y
    are rare. A page of the union takes a page from each queryset and merges them: the first n
    rows of a union are among the first n of its parts.
    """

    def __init__(self, queryset, keys: tuple[str, ...], *, descending: bool = False, per_page: int = PAGE_SIZE):
        self.querysets = list(queryset) if isinstance(queryset, list | tuple) else [queryset]
        self.keys, self.descending, self.per_page = keys, descending, per_page
        model = self.querysets[0].model
        self.fields = [model._meta.pk if key == "pk" else model._meta.get_field(key) for key in keys]

    def ordered(self, queryset, forwards: bool):
        ascending = forwards != self.descending
        return queryset.order_by(*(key if ascending else f"-{key}" for key in self.keys))

    def beyond(self, queryset, cursor: tuple, forwards: bool):
        """Rows after ``cursor`` in the reading direction (``forwards``) or before it."""
        lookup = TupleGreaterThan if forwards != self.descending else TupleLessThan
        return queryset.filter(lookup(Tuple(*self.keys), cursor))

    def read(self, cursor: tuple | None, *, forwards: bool, limit: int) -> list:
        """Up to ``limit`` rows beyond ``cursor`` (from the end the reading starts at, without
        one), in reading order; a row that two querysets hold comes once."""
        parts = []
        for queryset in self.querysets:
            queryset = self.ordered(queryset, forwards)
            parts.append(list((queryset if cursor is None else self.beyond(queryset, cursor, forwards))[:limit]))
        if len(parts) == 1:
            return parts[0]
        rows = {row.pk: row for part in parts for row in part}
        ascending = forwards != self.descending
        return sorted(rows.values(), key=lambda row: keyset_values(self, row), reverse=not ascending)[:limit]

    def any_beyond(self, cursor: tuple, *, forwards: bool) -> bool:
        # Ordered, not .exists() (which drops the order): the planner then reads the order's index.
        return any(
            self.beyond(self.ordered(queryset, forwards), cursor, forwards).values_list("pk", flat=True)[:1]
            for queryset in self.querysets
        )

    def cursor_of(self, row) -> str:
        return json.dumps([field.value_to_string(row) for field in self.fields], separators=(",", ":"))

    def parse(self, text: str) -> tuple | None:
        try:
            parts = json.loads(text) if text else None
            if not isinstance(parts, list) or len(parts) != len(self.fields):
                return None
            values = tuple(field.to_python(part) for field, part in zip(self.fields[:-1], parts[:-1], strict=True))
        except (ValidationError, ValueError, TypeError):
            return None
        # The row's id comes from the address bar like any typed id (see ``portal.ids``).
        pk = parse_id(parts[-1])
        return None if pk is None else (*values, pk)


def keyset_page(request, keyset: Keyset, start: tuple | None = None) -> KeysetPage:
    """The page the request asks for: ``?after=<row>``, ``?before=<row>``, ``?at=last``, or the
    first page (from ``start`` on, where given, else from the beginning)."""
    query = query_without_page(request)
    after = keyset.parse(request.GET.get("after", ""))
    before = keyset.parse(request.GET.get("before", ""))
    size = keyset.per_page
    if before is not None:
        rows, more = _read(keyset, before, forwards=False, size=size)
        return _page(keyset, rows, query, more_before=more, more_after=True)
    if after is not None:
        rows, more = _read(keyset, after, forwards=True, size=size)
        return _page(keyset, rows, query, more_before=True, more_after=more)
    if request.GET.get("at") == "first":
        start = None
    elif request.GET.get("at") == "last":
        rows, more = _read(keyset, None, forwards=False, size=size)
        return _page(keyset, rows, query, more_before=more, more_after=False)
    if start is not None:
        rows, more = _read(keyset, start, forwards=True, size=size, inclusive=True)
        if rows:
            more_before = keyset.any_beyond(keyset_values(keyset, rows[0]), forwards=False)
            return _page(keyset, rows, query, more_before=more_before, more_after=more)
        rows, more = _read(keyset, None, forwards=False, size=size)  # nothing from the start on: the last page
        return _page(keyset, rows, query, more_before=more, more_after=False)
    rows, more = _read(keyset, None, forwards=True, size=size)
    return _page(keyset, rows, query, more_before=False, more_after=more)


def keyset_values(keyset: Keyset, row) -> tuple:
    return tuple(field.value_from_object(row) for field in keyset.fields)


def _read(keyset: Keyset, cursor, *, forwards: bool, size: int, inclusive: bool = False):
    """``size`` rows from ``cursor`` on in reading order, and whether there are more."""
    if cursor is not None and inclusive:  # the start is a point in the order, not a row: rows at it are included
        cursor = (*cursor[:-1], 0)
    rows = keyset.read(cursor, forwards=forwards, limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    return (rows if forwards else rows[::-1]), more


def _link(query: str, **parameter) -> str:
    return "?" + "&".join(part for part in (query, urlencode(parameter)) if part)


def _page(keyset: Keyset, rows: list, query: str, *, more_before: bool, more_after: bool) -> KeysetPage:
    page = KeysetPage(object_list=rows, query=query)
    if rows and more_before:
        page.first_url = _link(query, at="first")
        page.previous_url = _link(query, before=keyset.cursor_of(rows[0]))
    if rows and more_after:
        page.next_url = _link(query, after=keyset.cursor_of(rows[-1]))
        page.last_url = _link(query, at="last")
    return page
