"""The kinds of work a job can do, registered by the app that owns the rows or the rules.

An app registers, when it is ready, an export (the table of a page's selection: header, rows,
how many) or an import (the page's form, whose rows are parsed in bulk, and the service that
writes them); a job names its kind, and the worker finds the work here. So ``jobs`` needs no app
above it, and each app keeps its rows and its rules.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    count: Callable[[], int]  # how many rows, asked before any is read


@dataclass(frozen=True)
class ExportKind:
    kind: str
    name: str  # the file's name, without its extension
    table: Callable[[QueryDict], Table]  # the selection the page's query string names


@dataclass(frozen=True)
class ImportKind:
    kind: str
    form_class: Any  # a portal.forms.SpreadsheetImportForm
    # ``run(created_by=..., rows=..., write=..., progress=...)``: the app's import service.
    run: Callable[..., Any]
    done_url: str  # where the person goes once the rows are stored


KINDS: dict[str, ExportKind | ImportKind] = {}


def register(kind: ExportKind | ImportKind) -> None:
    KINDS[kind.kind] = kind


def kind_of(name: str) -> ExportKind | ImportKind:
    return KINDS[name]
