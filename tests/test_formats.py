"""Dates, times, sizes and numbers as each language writes them."""

from datetime import datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MOMENT = timezone.make_aware(datetime(2026, 12, 4, 18, 16))


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context)).replace("\xa0", " ")


@pytest.mark.parametrize(
    "language,day,moment,short",
    [
        ("en", "4 December 2026", "4 December 2026, 18:16", "04/12/2026 18:16"),
        ("nl", "4 december 2026", "4 december 2026 18:16", "4-12-2026 18:16"),
        ("fr", "4 décembre 2026", "4 décembre 2026 18:16", "04/12/2026 18:16"),
    ],
)
def test_dates_and_times_read_as_the_language_writes_them(language, day, moment, short):
    source = '{{ t|date:"DATE_FORMAT" }}|{{ t|date:"DATETIME_FORMAT" }}|{{ t|date:"SHORT_DATETIME_FORMAT" }}'
    assert render(source, language, t=MOMENT) == f"{day}|{moment}|{short}"


@pytest.mark.parametrize(
    "language,small,large,huge",
    [("en", "2 KB", "10 MB", "1.5 MB"), ("nl", "2 KB", "10 MB", "1,5 MB"), ("fr", "2 Ko", "10 Mo", "1,5 Mo")],
)
def test_file_sizes_in_each_languages_units_and_decimal_mark(language, small, large, huge):
    source = "{% load sizes %}{{ a|file_size }}|{{ b|file_size }}|{{ c|file_size }}"
    assert render(source, language, a=2048, b=10 * 1024 * 1024, c=1536 * 1024) == f"{small}|{large}|{huge}"


def test_file_sizes_below_a_kilobyte_are_counted_in_bytes():
    assert render("{% load sizes %}{{ a|file_size }}", "fr", a=300) == "300 octets"
    assert render("{% load sizes %}{{ a|file_size }}", "nl", a=1) == "1 byte"


def test_no_template_uses_djangos_size_filter():
    # Django's French catalogue says Kio/Mio; the portal's own filter says Ko/Mo (decision 0009).
    assert not [path.name for path in TEMPLATES.rglob("*.html") if "filesizeformat" in path.read_text()]
