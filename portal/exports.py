"""Exports of lists as CSV or Excel, written row by row in constant memory.

A page answers a short list at once (``export_response``): CSV row by row into the response, an
xlsx file (a zip archive, which cannot be streamed while it is written) by openpyxl's write-only
mode into a temporary file, which is then streamed. A long list is written by the worker into a
file (``export_write``) that the person downloads once it is complete (``jobs``, decision 0025):
a response cut off by a timeout would look complete to the browser.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# A sheet holds at most 1,048,576 rows (Excel refuses a longer one as damaged): the rows below the
# header of one sheet. An export job of more rows is refused as xlsx (``jobs``); rows that came
# while one was written go on to a next sheet, which repeats the header.
XLSX_ROWS_PER_SHEET = 1_048_575

# A cell that starts like a formula is run by spreadsheet programs: names typed by people are
# written as text (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value, *, xlsx: bool):
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None) if xlsx else f"{local:%Y-%m-%d %H:%M}"
    if not isinstance(value, str):
        return "" if value is None and not xlsx else value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    # Names and places are checked when written, but rows stored before that may still hold
    # control characters, which an xlsx file cannot: each is shown as a replacement character.
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if xlsx else value


class _Echo:
    """A file-like object that hands back what the csv writer writes."""

    def write(self, value: str) -> str:
        return value


def export_response(file_format: str, name: str, header: Sequence[str], rows: Iterable[Sequence]):
    if file_format not in FORMATS:
        raise Http404
    filename = f"{name}.{file_format}"
    if file_format == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(_csv_lines(writer, header, rows), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        _xlsx_file(header, rows), as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )


def _csv_lines(writer, header, rows):
    # A byte order mark first, so that spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(value, xlsx=False) for value in row])


def _xlsx_file(header, rows):
    # Deleted when closed, which FileResponse does once the file is sent.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by FileResponse)
    export_write(file, "xlsx", header, rows)
    file.seek(0)
    return file


def export_write(
    file,
    file_format: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 500,
) -> int:
    """Write the rows into a binary file, one at a time; ``progress(rows_written)`` is called every
    ``every`` rows (it may raise to stop the export). Returns how many rows were written."""
    written = 0
    if file_format == "csv":
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        for written, row in enumerate(rows, start=1):
            writer.writerow([_cell(value, xlsx=False) for value in row])
            if progress is not None and written % every == 0:
                progress(written)
        text.flush()
        text.detach()  # the file stays open for the caller
        return written
    workbook = Workbook(write_only=True)
    sheet = None
    for written, row in enumerate(rows, start=1):
        if sheet is None or (written - 1) % XLSX_ROWS_PER_SHEET == 0:
            sheet = _sheet(workbook, header)
        sheet.append([_cell(value, xlsx=True) for value in row])
        if progress is not None and written % every == 0:
            progress(written)
    if sheet is None:
        _sheet(workbook, header)
    workbook.save(file)
    return written


def _sheet(workbook: Workbook, header: Sequence[str]):
    sheet = workbook.create_sheet()
    sheet.append(list(header))
    return sheet
