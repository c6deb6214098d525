"""What one dropped PDF may cost the public verifier (decision 0010).

A signature's reader compares revisions with each other, so a small file of thousands of tiny
incremental updates could hold a web process for minutes. Three bounds keep that from happening:
the file's bytes are counted before any parser sees them (revisions and objects, settings
``VERIFY_MAX_PDF_REVISIONS`` and ``VERIFY_MAX_PDF_OBJECTS``); the parser decodes no more
cross-reference data than that many objects need; and the file and its seal are read in a child
process that is killed after ``VERIFY_PDF_SECONDS``. A sealed supplement has two revisions (the
rendering; the credential and the seal) and about 1,500 objects.
"""

import multiprocessing
import re
import resource
import socket
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

T = TypeVar("T")


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
    decodes only up to the object limit: see ``pdf_reading.decode_limits``.)"""
    headers = sum(1 for _match in OBJECT_HEADER.finditer(data))
    entries = sum(1 for _match in XREF_TABLE_ENTRY.finditer(data))
    return max(headers, entries)


def check_structure(data: bytes) -> None:
    """Refuse, before any parser runs, a PDF with more revisions or objects than allowed."""
    if revisions(data) > settings.VERIFY_MAX_PDF_REVISIONS or objects(data) > settings.VERIFY_MAX_PDF_OBJECTS:
        raise too_complex()


# A child process per checked file, forked from a server process that has imported the readers
# (of PDFs, and of credentials' Data Integrity proofs) alone: no thread, lock or database
# connection of the web process is copied into it.
_processes = multiprocessing.get_context("forkserver")
_processes.set_forkserver_preload(["certificates.pdf_reading", "certificates.credentials.data_integrity"])
CHILD_MEMORY_BYTES = 1024**3


def _no_network(*_args, **_kwargs):
    raise OSError("the verifier opens no network connection")


def _run_child(connection, function, args) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    # The file is untrusted and nothing it names is fetched (pyHanko is told so too).
    socket.socket.connect = socket.socket.connect_ex = _no_network  # type: ignore[method-assign]
    socket.create_connection = _no_network
    try:
        connection.send(function(*args))
    except BaseException:  # noqa: BLE001 - whatever stopped the child, the parent answers "too complex"
        connection.send(None)
    finally:
        connection.close()


def run_bounded(function: Callable[..., T], *args, seconds: float) -> T:
    """``function(*args)`` in a child process, killed once ``seconds`` have passed or past its
    memory; a ValidationError "too complex" then. Whatever runs the request (a thread of the web
    server, its main thread, a test), the child is what spends the time and is what is killed.
    ``function`` must be importable from ``certificates.pdf_reading``'s world: no Django."""
    receiving, sending = _processes.Pipe(duplex=False)
    child = _processes.Process(target=_run_child, args=(sending, function, args), daemon=True)
    child.start()
    sending.close()
    try:
        if not receiving.poll(seconds):
            raise too_complex()
        result = receiving.recv()
    except EOFError:  # the child died: past its memory, or killed
        raise too_complex() from None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if result is None:
        raise too_complex()
    return result
