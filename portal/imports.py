"""Bulk imports from CSV or Excel: read with tablib, each row parsed by a form and written by the
app's own service, all rows or none.

``read_table`` turns an uploaded file into rows of text by column name. ``import_rows`` runs the
service on every row inside one transaction, each row in a savepoint so that one refusal does
not hide the next row's: it collects every row's problems, and keeps what was written only when
no row has a problem and it is not a dry run.
"""

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

MAX_ROWS = 5000


@dataclass
class ImportRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict  # parsed by the row's form
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ImportRow]
    written: bool = False
    created: list = field(default_factory=list)

    @property
    def problems(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]


def read_table(upload, columns: list[str]) -> list[dict[str, str]]:
    """The rows of an uploaded .csv or .xlsx file as {column: text}; ValidationError if unreadable."""
    name = (upload.name or "").lower()
    file_format = "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith(".csv") else None
    if file_format is None:
        raise ValidationError(_("Choose a .csv or .xlsx file."), code="format")
    content = upload.read()
    try:
        if file_format == "csv":
            content = content.decode("utf-8-sig")
        dataset = tablib.Dataset().load(content, format=file_format)
    except (UnicodeDecodeError, tablib.UnsupportedFormat, ValueError, KeyError, OSError, zipfile.BadZipFile):
        raise ValidationError(_("This file cannot be read as %(format)s.") % {"format": file_format}, code="unreadable")
    headers = [str(header or "").strip().lower() for header in dataset.headers or []]
    missing = [column for column in columns if column not in headers]
    if missing:
        raise ValidationError(_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}, code="columns")
    if dataset.height > MAX_ROWS:
        raise ValidationError(_("At most %(count)s rows at a time.") % {"count": MAX_ROWS}, code="too_many")
    return [
        {header: "" if value is None else str(value).strip() for header, value in zip(headers, row, strict=False)}
        for row in dataset
    ]


def import_rows(rows: list[ImportRow], create: Callable[..., object], *, write: bool) -> ImportReport:
    """Run ``create(**row.values)`` for every row without a problem; keep it all only if every
    row went through and ``write`` is true."""
    report = ImportReport(rows=rows)
    with transaction.atomic():
        for row in rows:
            if row.problems:
                continue
            try:
                with transaction.atomic():
                    report.created.append(create(**row.values))
            except ValidationError as error:
                row.problems.extend(error.messages)
        report.written = write and not report.problems
        if not report.written:
            transaction.set_rollback(True)
            report.created = []
    return report
