"""Exports of long lists as CSV or Excel, streamed: 100,000 rows neither time out nor fill memory.

CSV is written row by row into the response as the database hands the rows over. An xlsx file
is a zip archive that cannot be streamed while it is written, so openpyxl writes it in its
write-only mode (row by row, constant memory) to a temporary file, which is then streamed.
"""

import csv
import tempfile
from collections.abc import Iterable, Sequence
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
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append([_cell(value, xlsx=True) for value in row])
    # Deleted when closed, which FileResponse does once the file is sent.
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by FileResponse)
    workbook.save(file)
    file.seek(0)
    return file
