"""Bulk imports from CSV or Excel: read as a stream, each row parsed by a form and written by the
app's own service, all rows or none.

``read_table`` turns an uploaded file into rows of text by column name. A file of a few
kilobytes can hold a million rows, so it is refused as soon as it passes ``MAX_ROWS`` rows or
``MAX_CELLS`` cells while it is read, and nothing past the limit is read (see
docs/decisions/0010). ``import_rows`` runs the service on every row inside one transaction, each
row in a savepoint so that one refusal does not hide the next row's: it collects every row's
problems, and keeps what was written only when no row has a problem and it is not a dry run.
The rows run without savepoints first (all or none: a refusal rolls them all back and they are
checked again one savepoint each, to list every problem; a dry run that passes is rolled back):
the savepoints were a third of the queries of an import of thousands (docs/decisions/0025).
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 10_000  # below the header; more than a few thousand are imported by the worker
MAX_CELLS = 100_000  # the header's included; an import has at most six columns
MAX_LINE_CHARS = 4000  # one line of a CSV file
# An xlsx file of MAX_ROWS rows unpacks to a few megabytes; a zip bomb to gigabytes.
MAX_UNZIPPED_BYTES = 10 * 1024 * 1024

SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# The elements of an xlsx part counted before openpyxl reads it: rows, cells and shared strings.
ROW, CELL, STRING = f"{SPREADSHEET} row", f"{SPREADSHEET} c", f"{SPREADSHEET} si"
# What a damaged or disguised file raises while it is read.
UNREADABLE = (
    UnicodeDecodeError,
    ValueError,
    KeyError,
    IndexError,
    OSError,
    zipfile.BadZipFile,
    csv.Error,
    expat.ExpatError,
    InvalidFileException,
)


# What the apps write together while an import writes all its rows or none (registered in their
# ``ready``, ``write_together``): the audit trail's entries, for one, in a few INSERTs, not one a row.
_TOGETHER: list[Callable[[], AbstractContextManager[object]]] = []


def write_together(batch: Callable[[], AbstractContextManager[object]]) -> None:
    """Register ``batch``: a context manager entered around an import's rows written all or none
    (no savepoint inside), which writes what it gathered at its end, or nothing on an error."""
    if batch not in _TOGETHER:
        _TOGETHER.append(batch)


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
    """The rows of an uploaded .csv or .xlsx file as {column: text}; ValidationError if unreadable
    or too large. Blank lines of a CSV file are left out (but count towards the limit)."""
    name = (upload.name or "").lower()
    file_format = "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith(".csv") else None
    if file_format is None:
        raise ValidationError(_("Choose a .csv or .xlsx file."), code="format")
    content = upload.read()
    try:
        records = _counted(_csv_records(content) if file_format == "csv" else _xlsx_records(content))
        headers = [str(header or "").strip().lower() for header in next(records, ())]
        missing = [column for column in columns if column not in headers]
        if missing:
            raise ValidationError(_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}, code="columns")
        return [_row(headers, record) for record in records if file_format == "xlsx" or record]
    except UNREADABLE:
        raise ValidationError(_("This file cannot be read as %(format)s.") % {"format": file_format}, code="unreadable")


def _row(headers: list[str], record: Sequence) -> dict[str, str]:
    """A record by column name; a short record is filled with blanks, a long one cut off."""
    values = [*record, *[None] * (len(headers) - len(record))]
    return {header: "" if value is None else str(value).strip() for header, value in zip(headers, values, strict=False)}


def _check_size(*, rows: int, cells: int) -> None:
    if rows > MAX_ROWS:
        raise ValidationError(_("At most %(count)s rows at a time.") % {"count": MAX_ROWS}, code="too_many")
    if cells > MAX_CELLS:
        raise ValidationError(
            _("At most %(count)s cells at a time: leave out the columns the import does not use.")
            % {"count": MAX_CELLS},
            code="too_many_cells",
        )


def _counted(records: Iterable[Sequence]) -> Iterator[Sequence]:
    """The records of a file, the header first, refused as soon as there are too many."""
    cells = 0
    for rows_below_header, record in enumerate(records):
        cells += len(record)
        _check_size(rows=rows_below_header, cells=cells)
        yield record


def _csv_records(content: bytes) -> Iterator[list[str]]:
    return csv.reader(_csv_lines(content.decode("utf-8-sig")))


def _csv_lines(text: str) -> Iterator[str]:
    for line in io.StringIO(text, newline=""):
        if len(line) > MAX_LINE_CHARS:
            raise ValidationError(
                _("A line of this file is longer than %(count)s characters.") % {"count": MAX_LINE_CHARS},
                code="line_too_long",
            )
        yield line


def _xlsx_records(content: bytes) -> Iterator[tuple]:
    """The rows of the workbook's first sheet, in openpyxl's read-only (streaming) mode.

    Before openpyxl opens it, the archive's unpacked size is bounded and every part's rows,
    cells and shared strings are counted (``_check_part``): openpyxl builds a whole row, the
    whole table of shared strings and, for a sheet that does not declare its size, parses every
    row just to open it. The declared size is checked too, as openpyxl pads every row to it.
    """
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(member.file_size for member in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise ValidationError(
                _("This file unpacks to more than %(size)s MB.") % {"size": MAX_UNZIPPED_BYTES // (1024 * 1024)},
                code="too_large",
            )
        for member in archive.infolist():
            with archive.open(member) as part:
                _check_part(part)
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        if sheet.max_row and sheet.max_column:
            _check_size(rows=sheet.max_row - 1, cells=sheet.max_row * sheet.max_column)
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _check_part(part) -> None:
    """Count the rows, cells and shared strings of one part of an xlsx file as expat reads it,
    a piece at a time, holding nothing. A part that is not XML (an image) is openpyxl's to
    refuse or ignore; a document type declaration, where entity tricks live, has no place in
    an xlsx file."""
    counts = {ROW: 0, CELL: 0, STRING: 0}

    def start(name, attributes):
        if name in counts:
            counts[name] += 1
            _check_size(rows=counts[ROW] - 1, cells=counts[CELL] + counts[STRING])

    def doctype(*args):
        raise ValueError("a document type declaration")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        while chunk := part.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        return


def import_rows(
    rows: list[ImportRow],
    create: Callable[..., object],
    *,
    write: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Run ``create(**row.values)`` for every row without a problem; keep it all only if every
    row went through and ``write`` is true. ``progress(rows_done)`` is called before each row
    (the worker's, which may raise to stop: then nothing is kept)."""
    if not any(row.problems for row in rows):
        passed = _write_all(rows, create, write=write, progress=progress)
        if passed is not None:
            return passed
    return _check_each(rows, create, write=write, progress=progress)


def _write_all(
    rows: list[ImportRow], create: Callable[..., object], *, write: bool, progress: Callable[[int], None] | None
) -> ImportReport | None:
    """Every row through ``create`` with no savepoint of its own nor of the services' (the
    import is all or none), kept if ``write``; None, with nothing kept, as soon as a row is
    refused or its transaction broken: ``_check_each`` then runs the rows again to list every
    problem."""
    created = []
    try:
        with transaction.atomic():
            with _no_savepoints(), ExitStack() as together:
                for batch in _TOGETHER:
                    together.enter_context(batch())
                for done, row in enumerate(rows):
                    if progress is not None:
                        progress(done)
                    created.append(create(**row.values))
            if not write:
                transaction.set_rollback(True)
    except (ValidationError, DatabaseError):
        return None
    return ImportReport(rows=rows, written=write, created=created if write else [])


@contextmanager
def _no_savepoints() -> Iterator[None]:
    """Inside a transaction, the atomic blocks opened meanwhile make no savepoint: one that fails
    marks the whole transaction for its rollback instead (what Django does where it may not make
    a savepoint), which the caller's outer block then rolls back to its own savepoint. Every
    backend asks its connection's ``_savepoint_allowed`` before it makes one."""
    connection = transaction.get_connection()
    setattr(connection, "_savepoint_allowed", lambda: False)  # noqa: B010 (an instance's, over its class's)
    try:
        yield
    finally:
        delattr(connection, "_savepoint_allowed")


def _check_each(
    rows: list[ImportRow],
    create: Callable[..., object],
    *,
    write: bool,
    progress: Callable[[int], None] | None,
) -> ImportReport:
    """Every row without a problem through ``create`` in its own savepoint, so that one refusal does
    not hide the next row's; kept only if every row went through and ``write`` is true."""
    report = ImportReport(rows=rows)
    with transaction.atomic():
        for done, row in enumerate(rows):
            if progress is not None:
                progress(done)
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
