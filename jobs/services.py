"""Background jobs: created by a page, claimed and run by the worker, cancelled by their owner,
deleted when they expire (decision 0025).

A job's state moves by conditional updates (``UPDATE … WHERE status = …``): the worker claims a
queued job, records progress only while it is still running (so a cancel stops it at the next
step), and marks it done only if nobody cancelled it meanwhile. An export's file is written to a
temporary file and copied into the private storage only once it is whole and closed; the job is
done only after that, so a file cut off by a failure is never offered.
"""

import logging
import secrets
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from portal.exports import FORMATS, XLSX_ROWS_PER_SHEET, export_write
from portal.imports import ImportReport
from portal.storage import private_storage

from .kinds import ExportKind, ImportKind, kind_of
from .models import Job
from .signals import job_finished

logger = logging.getLogger(__name__)

Status = Job.Status
# Rows with problems kept in an import's report (the count says how many there were in all).
PROBLEM_ROWS_KEPT = 1000


class Cancelled(Exception):
    """The owner cancelled the job while it ran."""


def runs_in_background(rows: int) -> bool:
    """An export or an import of more rows than JOB_ROWS_IMMEDIATE is a job; a shorter one is
    answered at once."""
    return rows > settings.JOB_ROWS_IMMEDIATE


def _new_job(*, owner: Any, kind: str, params: dict[str, Any], total: int) -> Job:
    expires = timezone.now() + timedelta(hours=settings.JOB_RESULT_HOURS)
    return Job(owner=owner, kind=kind, params=params, total=total, expires_at=expires)


def _queue(job: Job) -> None:
    from .tasks import run_job

    transaction.on_commit(lambda: _publish(run_job, job.pk))


def _publish(task: Any, job_id: int) -> None:
    try:
        task.delay(job_id)
    except Exception:  # the broker is down: the sweep hands the job again
        logger.warning("Broker unavailable; job %s stays queued for the sweep.", job_id, exc_info=True)


def _folder(job: Job) -> str:
    # Not guessable, though only the owner's download view ever reads it.
    return f"jobs/{job.pk}-{secrets.token_hex(8)}/"


def job_export_start(*, owner: Any, kind: str, query: str, file_format: str, total: int) -> Job:
    """An export of the selection ``query`` (the page's query string) as a file, written by the worker."""
    export = kind_of(kind)
    if not isinstance(export, ExportKind) or file_format not in FORMATS:
        raise ValidationError(_("This export does not exist."), code="unknown_export")
    job = _new_job(owner=owner, kind=kind, params={"query": query, "format": file_format}, total=total)
    job.download_name = f"{export.name}.{file_format}"
    with transaction.atomic():
        job.save()
        _queue(job)
    return job


def job_import_start(*, owner: Any, kind: str, upload: "UploadedFile | File[Any]", write: bool, total: int) -> Job:
    """A check (``write=False``) or an import of a file whose rows the worker reads, parses and
    hands to the import's service; the file is kept privately until the job expires."""
    if not isinstance(kind_of(kind), ImportKind):
        raise ValidationError(_("This import does not exist."), code="unknown_import")
    job = _new_job(owner=owner, kind=kind, params={"write": write}, total=total)
    job.download_name = (upload.name or "")[-100:]
    with transaction.atomic():
        job.save()
        upload.seek(0)
        extension = ".xlsx" if job.download_name.lower().endswith(".xlsx") else ".csv"
        job.input_name = private_storage.save(f"{_folder(job)}input{extension}", upload)
        job.save(update_fields=["input_name"])
        _queue(job)
    return job


def job_import_checked(*, job: Job) -> Job:
    """Import the file a job checked without a problem, without choosing it again."""
    if not (
        job.status == Status.DONE
        and isinstance(kind_of(job.kind), ImportKind)
        and not job.params.get("write")
        and not job.report.get("problems")
    ):
        raise ValidationError(_("Only a file checked without a problem can be imported."), code="not_checked")
    with private_storage.open(job.input_name) as handle:
        return job_import_start(
            owner=job.owner, kind=job.kind, upload=File(handle, name=job.download_name), write=True, total=job.total
        )


def job_cancel(*, job: Job) -> bool:
    """Stop a queued or running job: the worker stops at its next step and keeps nothing."""
    cancelled = Job.objects.filter(pk=job.pk, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.CANCELLED, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return bool(cancelled)


def progress_key(job_id: int) -> str:
    return f"jobs:progress:{job_id}"


def job_run(*, job_id: int) -> Job | None:
    """Claim the queued job and do its work; None when it is not queued (run already, or cancelled)."""
    claimed = Job.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job: Job = Job.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.owner.preferred_language):
        try:
            kind = kind_of(job.kind)
            if isinstance(kind, ExportKind):
                _run_export(job, kind)
            else:
                _run_import(job, kind)
        except Cancelled:
            _discard_result(job)
        except ValidationError as refused:  # an import file that cannot be read
            _fail(job, " ".join(refused.messages))
        except Exception:
            logger.exception("Job %s (%s) failed.", job.pk, job.kind)
            _fail(
                job,
                _(
                    "The job stopped because of an error. Please try again; if it fails again, tell the portal's support."
                ),
            )
    job.refresh_from_db()
    if job.status in (Status.DONE, Status.FAILED):
        job_finished.send(sender=Job, job=job)
    return job


def _progress_in_transaction(job: Job) -> Callable[[int], None]:
    """During a job's one transaction (an import's, an export's reading) a write of the job's row
    would only be seen at its end, and would hold the row from a cancel until then:
    the rows done go to the shared cache instead, and the job's status is read (committed by the
    cancel's request) to stop."""

    def record(done: int) -> None:
        if done % settings.JOB_PROGRESS_EVERY or not done:
            return
        cache.set(progress_key(job.pk), done, timeout=settings.JOB_TIME_LIMIT_SECONDS)
        if Job.objects.filter(pk=job.pk, status=Status.CANCELLED).exists():
            raise Cancelled

    return record


def _run_export(job: Job, kind: ExportKind) -> None:
    table = kind.table(QueryDict(job.params["query"]))
    file_format = job.params["format"]
    # Counted when the page asked, and again now: rows may have come since.
    total = table.count()
    Job.objects.filter(pk=job.pk).update(total=total)
    job.total = total
    if file_format == "xlsx" and total > XLSX_ROWS_PER_SHEET:
        # Told at once, rather than after the half hour such a workbook would take to fail.
        _fail(job, _too_many_for_a_spreadsheet(total))
        return
    every = settings.JOB_PROGRESS_EVERY
    with tempfile.TemporaryFile(suffix=f".{file_format}") as file:
        with _reading():
            written = export_write(
                file, file_format, table.header, table.rows, progress=_progress_in_transaction(job), every=every
            )
        file.seek(0)
        # Copied into the private storage only whole; a failure before leaves nothing there.
        job.result_name = private_storage.save(f"{_folder(job)}{job.download_name}", File(file))
    _finish(job, done=written, total=max(total, written))


def _too_many_for_a_spreadsheet(total: int) -> str:
    return _(
        "These %(rows)s rows are more than a spreadsheet holds (%(most)s): export them as CSV, or narrow the selection."
    ) % {
        "rows": formats.number_format(total, force_grouping=True),
        "most": formats.number_format(XLSX_ROWS_PER_SHEET, force_grouping=True),
    }


def _reading() -> AbstractContextManager[object]:
    """Where an export reads its rows. On PostgreSQL, in one transaction: outside one, the rows'
    server-side cursor is declared WITH HOLD, and PostgreSQL copies the whole result before it
    hands out the first row (18 s for the 21 million entries of a large centre's audit trail,
    then about 3,000 rows a second instead of 50,000). The job's row is not written meanwhile, or
    a cancel would wait for the end: the rows done go to the shared cache, as an import's do.
    SQLite has no such cursors, and its transactions take the database's write lock at their
    start (``transaction_mode``): there the rows are read outside one."""
    return transaction.atomic() if connection.vendor == "postgresql" else nullcontext()


def _run_import(job: Job, kind: ImportKind) -> None:
    from portal.imports import read_table

    with private_storage.open(job.input_name) as handle:
        table = read_table(File(handle, name=job.input_name), kind.form_class.columns)
    Job.objects.filter(pk=job.pk).update(total=len(table))
    rows = kind.form_class.parse(table)
    write = bool(job.params.get("write"))
    report: ImportReport = kind.run(
        created_by=job.owner, rows=rows, write=write, progress=_progress_in_transaction(job)
    )
    problems = report.problems
    job.report = {
        "rows": len(report.rows),
        "written": report.written,
        "created": len(report.created),
        "problem_count": len(problems),
        "problems": [{"number": row.number, "problems": row.problems} for row in problems[:PROBLEM_ROWS_KEPT]],
    }
    Job.objects.filter(pk=job.pk).update(report=job.report)
    _finish(job, done=len(table), total=len(table))


def _finish(job: Job, *, done: int, total: int) -> None:
    cache.delete(progress_key(job.pk))  # the rows done are on the job's row from now on
    finished = Job.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.DONE,
        done=done,
        total=total,
        result_name=job.result_name,
        finished_at=timezone.now(),
    )
    if not finished:  # cancelled at the last moment
        _discard_result(job)


def _fail(job: Job, message: str) -> None:
    _discard_result(job)
    Job.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.FAILED, error=message, result_name="", finished_at=timezone.now()
    )


def _discard_result(job: Job) -> None:
    if job.result_name:
        private_storage.delete(job.result_name)
        Job.objects.filter(pk=job.pk).update(result_name="")
        job.result_name = ""


def job_progress(*, job: Job) -> dict[str, Any]:
    """What the job page shows and its script polls: status, rows done of all."""
    done = job.done
    if job.status == Status.RUNNING:
        done = max(done, cache.get(progress_key(job.pk)) or 0)
    done = min(done, job.total) if job.total else done
    percent = 100 if job.status == Status.DONE else int(done * 100 / job.total) if job.total else 0
    return {
        "status": job.status,
        "status_shown": str(job.get_status_display()),
        "done": done,
        "total": job.total,
        "percent": percent,
        "finished": job.finished,
    }


def job_result_open(*, job: Job) -> "File[Any]":
    """The finished export's file; FileNotFoundError unless the job is done and has its file."""
    if job.status != Status.DONE or not job.result_name:
        raise FileNotFoundError(job.pk)
    return private_storage.open(job.result_name)


def jobs_sweep() -> int:
    """Delete the jobs past their expiry with their files; fail the jobs whose worker died (running
    longer than the time limit); hand again the queued jobs the broker may have lost. Returns how
    many jobs were deleted."""
    now = timezone.now()
    expired = list(Job.objects.filter(expires_at__lte=now))
    for job in expired:
        for name in (job.result_name, job.input_name):
            if name:
                private_storage.delete(name)
        job.delete()
    stale = now - timedelta(seconds=settings.JOB_TIME_LIMIT_SECONDS)
    for job in Job.objects.filter(status=Status.RUNNING, started_at__lt=stale).select_related("owner"):
        with translation.override(job.owner.preferred_language):
            _fail(job, _("The job took longer than allowed and was stopped. Please try again."))
        job.refresh_from_db()
        job_finished.send(sender=Job, job=job)
    from .tasks import run_job

    for job_id in Job.objects.filter(status=Status.QUEUED, created_at__lt=now - timedelta(minutes=5)).values_list(
        "pk", flat=True
    ):
        _publish(run_job, job_id)
    return len(expired)
