"""What the other apps may use of ``jobs`` besides ``jobs.models`` and ``jobs.signals``: register
their exports and imports, and answer a page's export or import at once or as a job."""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from portal.exports import FORMATS, export_response

from .kinds import ExportKind, ImportKind, Table, kind_of, register
from .services import job_export_start, job_import_start, runs_in_background

__all__ = ["ExportKind", "ImportKind", "Table", "export", "import_in_background", "register"]


def export(request: HttpRequest, *, kind: str, file_format: str) -> HttpResponse:
    """A page's export of its selection: the file at once when it is short, otherwise a job that
    writes the file in the worker, and the job's page."""
    spec = kind_of(kind)
    if file_format not in FORMATS or not isinstance(spec, ExportKind):
        raise Http404
    table = spec.table(request.GET)
    total = table.count()
    if not runs_in_background(total):
        response: HttpResponse = export_response(file_format, spec.name, table.header, table.rows)
        return response
    job = job_export_start(
        owner=request.user, kind=kind, query=request.GET.urlencode(), file_format=file_format, total=total
    )
    return redirect(job)


def import_in_background(request: HttpRequest, *, kind: str) -> Callable[[Any, bool], HttpResponse | None]:
    """For ``portal.import_page.spreadsheet_import``: a file of many rows is checked or imported by
    the worker (the job's page follows), a short one at once (None)."""

    def start(form: Any, write: bool) -> HttpResponse | None:
        if not runs_in_background(len(form.table)):
            return None
        upload = form.cleaned_data["file"] or form.kept
        job = job_import_start(owner=request.user, kind=kind, upload=upload, write=write, total=len(form.table))
        return redirect(job)

    return start
