from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.downloads import private_file_response
from portal.exports import CONTENT_TYPES

from . import services
from .access import job_for
from .kinds import ImportKind, kind_of
from .models import Job

# How often the page asks for progress (its script), and reloads itself without script.
POLL_SECONDS = 2
RELOAD_SECONDS = 5


@login_required
def job_list(request):
    jobs = Job.objects.for_user(request.user)[:100]
    # A running job's rows done are in the shared cache (``job_progress``), not yet on its row.
    return render(request, "jobs/list.html", {"jobs": [(job, services.job_progress(job=job)) for job in jobs]})


@login_required
def job_detail(request, job_pk: int):
    job = job_for(request, job_pk)
    kind = kind_of(job.kind)
    context = {
        "job": job,
        "progress": services.job_progress(job=job),
        "is_import": isinstance(kind, ImportKind),
        "done_url": kind.done_url if isinstance(kind, ImportKind) else "",
        "poll_seconds": POLL_SECONDS,
        "reload_seconds": RELOAD_SECONDS,
    }
    return render(request, "jobs/detail.html", context)


@login_required
def job_progress(request, job_pk: int):
    job = job_for(request, job_pk)
    return JsonResponse(services.job_progress(job=job))


@login_required
@require_POST
def job_cancel(request, job_pk: int):
    job = job_for(request, job_pk)
    if services.job_cancel(job=job):
        messages.success(request, _("The job was cancelled."))
    else:
        messages.info(request, _("The job had already ended."))
    return redirect(job)


@login_required
@require_POST
def job_import(request, job_pk: int):
    """Import the file a job checked without a problem."""
    job = job_for(request, job_pk)
    try:
        started = services.job_import_checked(job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(job)
    return redirect(started)


@login_required
def job_download(request, job_pk: int):
    job = job_for(request, job_pk)
    file_format = job.download_name.rsplit(".", 1)[-1]
    return private_file_response(
        lambda: services.job_result_open(job=job),
        download_name=job.download_name,
        content_type=CONTENT_TYPES.get(file_format, "application/octet-stream"),
    )
