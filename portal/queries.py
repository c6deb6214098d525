"""Query shapes the planner needs told (decision 0026)."""

from typing import Any, TypeVar

from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, Subquery

Rows = TypeVar("Rows", bound=QuerySet[Any])


def among(rows: Rows, ids: QuerySet[Any]) -> Rows:
    """``rows`` whose primary key is one of ``ids`` (a query of one column), read from those ids
    first, before ``rows`` are put in their order.

    Asked in an index's order with a limit, PostgreSQL walks that index from its start and tests
    every row on the way against a semi-join: it expects the matches spread evenly, where they may
    all lie far along the order (the people called Janssens at "J", the open objections among the
    decisions of the past). On PostgreSQL the ids are therefore gathered first into an array
    (``id = ANY(ARRAY(SELECT ...))``, computed once; the planner expects it to be short), and only
    those rows are looked up by primary key and sorted: the work follows the matches, not the rows
    before them. SQLite filters directly."""
    if connection.vendor != "postgresql":
        return rows.filter(pk__in=ids)
    return rows.filter(_AmongIds(F("pk"), Subquery(ids.order_by())))


class _AmongIds(Func):
    """``id = ANY(ARRAY(SELECT ...))``: the subquery's ids computed once, as an array."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY(ARRAY"
    arity = 2
    output_field = BooleanField()
