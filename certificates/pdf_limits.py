"""What one dropped PDF may cost the public verifier (decision 0010).

A signature's reader compares revisions with each other, so a small file of thousands of tiny
incremental updates could hold a web process for minutes. Three bounds keep that from happening:
the file's bytes are counted before any parser sees them (revisions and objects, settings
``VERIFY_MAX_PDF_REVISIONS`` and ``VERIFY_MAX_PDF_OBJECTS``); the parser decodes no more
cross-reference data than that many objects need; and reading the file and its seal stops after
``VERIFY_PDF_SECONDS``. A sealed supplement has three revisions and about 1,500 objects.
"""

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.decode_limits import (
    DEFAULT_PURPOSE_LIMITS,
    DecodeLimits,
    DecodePurpose,
    StreamDecodeLimits,
)

# The widest cross-reference stream entry a writer uses is far below this (1 + 8 + 2 bytes).
XREF_ENTRY_BYTES = 32


def _name(name: str) -> re.Pattern:
    """A PDF name, however its characters are written (``/XRef``, ``/X#52ef``), as a whole name."""
    characters = "".join(f"(?:{re.escape(c)}|#(?i:{ord(c):02x}))" for c in name)
    return re.compile(rf"/{characters}(?![^\s/<>\[\](){{}}%])".encode())


XREF_STREAM = _name("XRef")
# Bounded, and starting only where a run of digits starts: an unbounded ``\d+\s+\d+`` retries
# from every digit of a long run of digits, and 5 MiB of digits would take days.
XREF_TABLE_ENTRY = re.compile(rb"(?<!\d)\d{10} \d{5} [fn]")
OBJECT_HEADER = re.compile(rb"(?<!\d)\d{1,10}[\0\t\n\f\r ]{1,16}\d{1,5}[\0\t\n\f\r ]{1,16}obj\b")


def too_complex() -> ValidationError:
    return ValidationError(
        _(
            "This PDF is too complex to check (too many revisions or objects, or checking it takes too long). "
            "A document of this test centre is never that complex."
        ),
        code="too_complex",
    )


def revisions(data: bytes) -> int:
    """At least as many revisions as a reader can find: each ends with a cross-reference table
    (``xref``) or stream (``/Type /XRef``), and normally with ``startxref`` and ``%%EOF``."""
    tables = data.count(b"xref") - data.count(b"startxref")
    streams = sum(1 for _match in XREF_STREAM.finditer(data))
    return max(tables + streams, data.count(b"startxref"), data.count(b"%%EOF"))


def objects(data: bytes) -> int:
    """The objects the file writes out, or its cross-reference tables list, whichever is more.
    (Objects packed in object streams are listed in cross-reference streams, which the reader
    decodes only up to the object limit: see ``decode_limits``.)"""
    headers = sum(1 for _match in OBJECT_HEADER.finditer(data))
    entries = sum(1 for _match in XREF_TABLE_ENTRY.finditer(data))
    return max(headers, entries)


def check_structure(data: bytes) -> None:
    """Refuse, before any parser runs, a PDF with more revisions or objects than allowed."""
    if revisions(data) > settings.VERIFY_MAX_PDF_REVISIONS or objects(data) > settings.VERIFY_MAX_PDF_OBJECTS:
        raise too_complex()


def decode_limits() -> DecodeLimits:
    """pyHanko's limits for untrusted files, with cross-reference streams cut to the object limit."""
    xref_limit = StreamDecodeLimits(max_output_size=settings.VERIFY_MAX_PDF_OBJECTS * XREF_ENTRY_BYTES)
    return DecodeLimits(per_purpose={**DEFAULT_PURPOSE_LIMITS, DecodePurpose.XREF_STREAM: xref_limit})


class Overtime(BaseException):
    """The time limit passed. A BaseException, so no ``except Exception`` in a parser swallows it."""


def _expire(_signum, _frame):
    raise Overtime


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``Overtime`` in the block once ``seconds`` have passed (a real-time timer signal).

    Only the main thread receives signals: in the web server's processes (gunicorn's synchronous
    workers) the request runs there. Elsewhere (the threaded development server) the block runs
    without a clock and the structural limits alone bound it. Keep database queries out of the
    block: a query cut off half-way would leave its connection unusable.
    """
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0  # someone else's timer: leave it alone
    ):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
