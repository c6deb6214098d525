"""Scheduling assessments in bulk from a spreadsheet (issue 14)."""

from collections.abc import Callable

from accounts.models import User
from portal.imports import ImportReport, ImportRow, import_rows

from .lifecycle import assessment_create


def assessments_import(
    *, created_by: User, rows: list[ImportRow], write: bool, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Each row scheduled by ``assessment_create``'s rules (known people with the right roles, two
    different assessors, neither the candidate, not in the past), all rows or none; a dry run
    (``write=False``) lists every row's problem and stores nothing."""
    return import_rows(
        rows, lambda **values: assessment_create(created_by=created_by, **values), write=write, progress=progress
    )
