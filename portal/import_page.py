"""The flow of an import page: check a spreadsheet (nothing stored), then import the file checked.

A file whose check found no problem is kept for the session (``portal.kept_uploads``), so that
"Import" imports it without the person choosing it again. Importing runs every check again.
"""

from collections.abc import Callable
from typing import Any

from . import kept_uploads
from .imports import ImportReport

NAME_SHOWN = 200  # characters of the chosen file's name


def spreadsheet_import(
    request,
    *,
    form_class,
    slot: str,
    run: Callable[..., ImportReport],
    in_background: Callable[[Any, bool], Any] | None = None,
):
    """The page's form, after a POST its report, and the response that follows a job started.

    ``run(rows=..., write=...)`` writes only when "Import" was chosen. The file is the one posted,
    otherwise the one kept in ``slot``. ``in_background(form, write)`` may hand a long file to
    the worker: it returns the job page's redirect, or None to check or import at once.
    """
    chosen = request.FILES.get("file")
    kept = kept_uploads.open_upload(request.session, slot) if request.method == "POST" and chosen is None else None
    form = form_class(request.POST or None, request.FILES or None, actor=request.user, kept=kept)
    report = started = None
    try:
        if request.method == "POST" and form.is_valid():
            write = "import" in request.POST
            started = in_background(form, write) if in_background is not None else None
            if started is None:
                report = run(rows=form.rows, write=write)
    finally:
        if kept is not None:
            kept.close()
    if request.method == "POST":
        _keep_when_clean(request.session, slot, chosen, report)
    form.checked = kept_uploads.kept_upload(request.session, slot)
    return form, report, started


def _keep_when_clean(session, slot: str, chosen, report: ImportReport | None) -> None:
    """Only a file whose last check found no problem stays kept; an import ends its keeping."""
    clean_check = report is not None and not report.written and not report.problems
    if not clean_check:
        kept_uploads.discard_upload(session, slot)
    elif chosen is not None:
        kept_uploads.keep_upload(session, slot, chosen, name=chosen.name[:NAME_SHOWN])
