"""Pages for administrators (test centre staff). The Django admin covers everything else."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jobs import api as jobs
from portal.forms import add_service_errors
from portal.import_page import spreadsheet_import
from portal.pagination import Keyset, keyset_page

from . import access, background, selectors, services
from .forms import (
    AssessmentForm,
    AssessmentsImportForm,
    AssessorsForm,
    CancelForm,
    DayForm,
    RescheduleForm,
)
from .models import Assessment

# A busy test centre holds some 900 sessions on one day: shown a page at a time, in the order of
# the day, each page read from the schedule's index where the one before ended.
DAY_SESSIONS_PER_PAGE = 50


def _warn_of_overlaps(request, assessment: Assessment) -> None:
    """Saved, but an assessor is already booked at an overlapping time: say so."""
    for other in selectors.assessor_overlaps(assessment):
        shared = [p.full_name for p in (other.first_assessor, other.second_assessor) if p.pk in assessment.assessor_ids]
        messages.warning(
            request,
            _("Already booked at an overlapping time (%(assessors)s): %(candidate)s, %(time)s, %(place)s.")
            % {
                "assessors": ", ".join(shared),
                "candidate": other.candidate.full_name,
                "time": formats.date_format(timezone.localtime(other.scheduled_at), "DATETIME_FORMAT"),
                "place": other.location or "—",
            },
        )


@access.administrator_required
def assessment_create(request):
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The assessment was created."))
            _warn_of_overlaps(request, assessment)
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "form.html", {"form": form, "title": _("New assessment")})


@access.administrator_required
def assessors_edit(request, pk: int):
    assessment = access.get_assessment(request.user, pk)
    try:
        services.assessment_check_assessors_changeable(assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:detail", pk=pk)
    form = AssessorsForm(
        request.POST or None,
        initial={
            "first_assessor": assessment.first_assessor,
            "second_assessor": assessment.second_assessor,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_assign_assessors(
                actor=request.user, assessment=assessment, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The assessors were changed."))
            _warn_of_overlaps(request, assessment)
            return redirect("assessments:detail", pk=pk)
    return render(request, "form.html", {"form": form, "title": _("Assessors"), "assessment": assessment})


@access.administrator_required
def assessment_schedule(request, pk: int):
    """Reschedule (time, place) or cancel an assessment that has not started, with a reason."""
    assessment = access.get_assessment(request.user, pk)
    try:
        services.assessment_check_schedulable(assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:detail", pk=pk)
    cancelling = request.method == "POST" and "cancel" in request.GET
    reschedule_form = RescheduleForm(
        request.POST if request.method == "POST" and not cancelling else None,
        initial={"scheduled_at": timezone.localtime(assessment.scheduled_at), "location": assessment.location},
    )
    cancel_form = CancelForm(request.POST if cancelling else None)
    form = cancel_form if cancelling else reschedule_form
    if request.method == "POST" and form.is_valid():
        try:
            if cancelling:
                services.assessment_cancel(actor=request.user, assessment=assessment, **form.cleaned_data)
            else:
                assessment = services.assessment_reschedule(
                    actor=request.user, assessment=assessment, **form.cleaned_data
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if cancelling:
                messages.success(request, _("The assessment was cancelled."))
            else:
                messages.success(request, _("The assessment was rescheduled."))
                _warn_of_overlaps(request, assessment)
            return redirect("assessments:detail", pk=pk)
    return render(
        request,
        "assessments/schedule.html",
        {
            "assessment": assessment,
            "reschedule_form": reschedule_form,
            "cancel_form": cancel_form,
        },
    )


@access.administrator_required
def day_view(request):
    """The sessions of one date with place and assessors, a page at a time; today unless another
    date is asked, every place unless one is."""
    form = DayForm(request.GET or None)
    form.is_valid()  # each field that is valid is used; one that is not shows its error
    chosen = getattr(form, "cleaned_data", {})
    day = chosen.get("day") or timezone.localdate()
    location = chosen.get("location", "")
    keyset = Keyset(
        selectors.day_sessions(day, location=location), ("scheduled_at", "pk"), per_page=DAY_SESSIONS_PER_PAGE
    )
    return render(
        request,
        "assessments/day.html",
        {
            "form": form,
            "day": day,
            "location": location,
            "page": keyset_page(request, keyset),
            "count": selectors.day_session_count(day, location=location),
            "day_url": _day_url(day, location),
            "previous_day_url": _day_url(day - timedelta(days=1), location),
            "next_day_url": _day_url(day + timedelta(days=1), location),
        },
    )


def _day_url(day: date, location: str) -> str:
    """A day's first page at the same place: the links keep the filter, as the pages of one day do."""
    return "?" + urlencode({"day": day.isoformat(), **({"location": location} if location else {})})


@access.administrator_required
def dashboard_export(request, file_format: str):
    """The dashboard's current selection (its filters), every row of it, streamed."""
    return jobs.export(request, kind=background.ASSESSMENTS_EXPORT, file_format=file_format)


@access.administrator_required
def assessments_import(request):
    """Check a spreadsheet of assessments to schedule (every row's problems, nothing stored),
    then import it: all rows or none."""
    form, report, started = spreadsheet_import(
        request,
        form_class=AssessmentsImportForm,
        slot="import-assessments",
        run=lambda **rows: services.assessments_import(created_by=request.user, **rows),
        in_background=jobs.import_in_background(request, kind=background.ASSESSMENTS_IMPORT),
    )
    if started is not None:
        return started
    if report is not None and report.written:
        messages.success(request, _("%(count)s assessments were scheduled.") % {"count": len(report.created)})
        return redirect("assessments:dashboard")
    return render(
        request,
        "import.html",
        {
            "form": form,
            "report": report,
            "title": _("Import assessments"),
            "columns": "candidate, qualification, first_assessor, second_assessor, scheduled_at, location",
            "column_note": _(
                "candidate and the assessors: e-mail addresses; qualification: its code (0213); "
                "scheduled_at: YYYY-MM-DD HH:MM; location: optional."
            ),
        },
    )
