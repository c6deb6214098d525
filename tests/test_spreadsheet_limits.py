"""An imported spreadsheet is refused as soon as it holds too much: a small file can hold a million
rows, so the rows and cells are counted while the file is read, and nothing past the limit is."""

import csv
import io
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser

from portal.imports import MAX_CELLS, MAX_LINE_CHARS, MAX_ROWS, MAX_UNZIPPED_BYTES, read_table

from . import factories
from .rules import breaks_rule

COLUMNS = ["first_name", "last_name", "email"]
HEADER = "<row>" + "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in COLUMNS) + "</row>"
SHEET = "xl/worksheets/sheet1.xml"


def xlsx(sheet_data: str, *, dimension: str = "", extra: dict | None = None) -> SimpleUploadedFile:
    """A workbook written by openpyxl whose first sheet holds ``sheet_data`` (rows of XML)."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            target.writestr(member, sheet if member == SHEET else source.read(member))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return SimpleUploadedFile("people.xlsx", out.getvalue())


@pytest.fixture
def bytes_read():
    """How many bytes of each part of a zip archive were read (decompressed); cleared by a test
    once it has built its file."""
    counts: dict[str, int] = {}
    real = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = real(self, n)
        counts[self.name] = counts.get(self.name, 0) + len(data)
        return data

    with mock.patch.object(zipfile.ZipExtFile, "read", counting):
        yield counts


@pytest.fixture
def rows_built():
    """How many rows openpyxl built from a sheet's XML."""
    calls = []
    real = WorkSheetParser.parse_row

    def counting(self, row):
        calls.append(1)
        return real(self, row)

    with mock.patch.object(WorkSheetParser, "parse_row", counting):
        yield calls


def test_an_xlsx_with_a_million_rows_is_refused_having_read_few_of_them(bytes_read, rows_built):
    upload = xlsx(HEADER + "<row/>" * 1_000_000)  # 6 MB of rows in a file of about 10 KB
    assert len(upload) < 50_000
    bytes_read.clear()
    with breaks_rule("too_many"):
        read_table(upload, COLUMNS)
    assert bytes_read[SHEET] < 1_000_000  # of 6 MB: reading stopped at the limit
    assert len(rows_built) <= MAX_ROWS + 1


def test_the_refusal_is_shown_translated_on_the_import_page(client, db):
    client.force_login(factories.AdministratorFactory())
    client.cookies["django_language"] = "nl"
    upload = xlsx(HEADER + "<row/>" * (MAX_ROWS + 1))
    response = client.post("/accounts/people/import/", {"file": upload, "check": "1"})
    assert f"Hoogstens {MAX_ROWS} rijen per keer." in response.content.decode()


def test_an_xlsx_of_exactly_the_limit_is_read():
    rows = "".join(f'<row><c t="inlineStr"><is><t>N{i}</t></is></c></row>' for i in range(MAX_ROWS))
    table = read_table(xlsx(HEADER + rows), COLUMNS)
    assert len(table) == MAX_ROWS and table[-1] == {"first_name": f"N{MAX_ROWS - 1}", "last_name": "", "email": ""}


def test_an_xlsx_whose_rows_jump_ahead_is_refused_at_the_limit():
    """Two rows in the file, numbered 1 and 1,000,000: openpyxl hands over the rows in between."""
    taken = []
    real = ReadOnlyWorksheet.iter_rows

    def counting(self, *args, **kwargs):
        for row in real(self, *args, **kwargs):
            taken.append(1)
            yield row

    upload = xlsx(HEADER.replace("<row>", '<row r="1">') + '<row r="1000000"><c><v>1</v></c></row>')
    with mock.patch.object(ReadOnlyWorksheet, "iter_rows", counting), breaks_rule("too_many"):
        read_table(upload, COLUMNS)
    assert len(taken) == MAX_ROWS + 2  # the header, the rows allowed, and the first one too many


def test_one_row_of_a_million_cells_is_refused_before_openpyxl_builds_it(rows_built):
    with breaks_rule("too_many_cells"):
        read_table(xlsx(HEADER + "<row>" + "<c/>" * 1_000_000 + "</row>"), COLUMNS)
    assert rows_built == []


@pytest.mark.parametrize(
    "dimension,code",
    [("A1:C1048576", "too_many"), ("A1:XFD10", "too_many_cells")],
    ids=["rows", "cells"],
)
def test_an_xlsx_declaring_a_huge_sheet_is_refused_before_its_rows_are_read(dimension, code, rows_built):
    with breaks_rule(code):
        read_table(xlsx(HEADER, dimension=f'<dimension ref="{dimension}"/>'), COLUMNS)
    assert rows_built == []


def test_a_table_of_shared_strings_longer_than_the_cells_allowed_is_refused(bytes_read):
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "<si><t>a</t></si>" * (MAX_CELLS * 3)
        + "</sst>"
    )
    upload = xlsx(HEADER, extra={"xl/sharedStrings.xml": strings})
    bytes_read.clear()
    with breaks_rule("too_many_cells"):
        read_table(upload, COLUMNS)
    assert bytes_read["xl/sharedStrings.xml"] < len(strings) / 2


def test_an_xlsx_that_unpacks_to_too_much_is_refused_unread(bytes_read):
    upload = xlsx(HEADER, extra={"xl/media/padding.xml": " " * (MAX_UNZIPPED_BYTES + 1)})
    assert len(upload) < 100_000
    bytes_read.clear()
    with breaks_rule("too_large"):
        read_table(upload, COLUMNS)
    assert bytes_read == {}


def test_only_the_first_sheet_is_read():
    workbook = Workbook()
    workbook.active.append(COLUMNS)
    workbook.active.append(["Ann", "Claes", "ann@example.org"])
    other = workbook.create_sheet("Notes")
    other.append(["anything", "else"])
    workbook.active = other  # the sheet shown when the file was saved
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(SimpleUploadedFile("people.xlsx", buffer.getvalue()), COLUMNS)
    assert table == [{"first_name": "Ann", "last_name": "Claes", "email": "ann@example.org"}]


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", text.encode())


@pytest.fixture
def records_read():
    """How many records the csv module handed over."""
    taken = []
    real = csv.reader

    def counting(*args, **kwargs):
        for record in real(*args, **kwargs):
            taken.append(1)
            yield record

    with mock.patch.object(csv, "reader", counting):
        yield taken


def test_a_csv_with_a_million_rows_is_refused_having_read_few_of_them(records_read):
    with breaks_rule("too_many"):
        read_table(csv_upload("first_name,last_name,email\n" + "a,b,c\n" * 1_000_000), COLUMNS)
    assert len(records_read) == MAX_ROWS + 2


def test_a_csv_with_too_many_cells_is_refused(records_read):
    wide = ",".join(["x"] * 1000) + "\n"
    with breaks_rule("too_many_cells"):
        read_table(csv_upload("first_name,last_name,email\n" + wide * 1000), COLUMNS)
    assert len(records_read) <= MAX_CELLS // 1000 + 1


def test_a_csv_line_longer_than_the_limit_is_refused():
    with breaks_rule("line_too_long"):
        read_table(csv_upload("first_name,last_name,email\n" + "a" * (MAX_LINE_CHARS + 1) + ",b,c\n"), COLUMNS)


def test_a_csv_keeps_reading_rows_of_any_shape():
    text = "First_Name,last_name,email,notes\nAnn,Claes,ann@example.org,x,surplus\n\nBo,Dirks\n"
    assert read_table(csv_upload(text), COLUMNS) == [
        {"first_name": "Ann", "last_name": "Claes", "email": "ann@example.org", "notes": "x"},
        {"first_name": "Bo", "last_name": "Dirks", "email": "", "notes": ""},
    ]
