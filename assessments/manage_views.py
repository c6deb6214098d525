"""Pages for administrators (test centre staff). The Django admin covers everything else."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.exports import export_response
from portal.forms import add_service_errors

from . import access, selectors, services
from .forms import AssessmentFilterForm, AssessmentForm, AssessmentsImportForm, AssessorsForm


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
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "form.html", {"form": form, "title": _("New assessment")})


@access.administrator_required
def assessors_edit(request, pk: int):
    assessment = access.get_assessment(request.user, pk)
    form = AssessorsForm(request.POST or None, initial={
        "first_assessor": assessment.first_assessor, "second_assessor": assessment.second_assessor,
    })
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_assign_assessors(actor=request.user, assessment=assessment, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The assessors were changed."))
            return redirect("assessments:detail", pk=pk)
    return render(request, "form.html", {"form": form, "title": _("Assessors"), "assessment": assessment})


@access.administrator_required
def report(request):
    return render(request, "assessments/report.html", {"figures": selectors.report_figures()})


@access.administrator_required
def report_export(request, file_format: str):
    header = [_("Section"), _("Item"), _("Number"), _("Out of")]
    return export_response(file_format, "report", header, selectors.report_rows(selectors.report_figures()))


@access.administrator_required
def dashboard_export(request, file_format: str):
    """The dashboard's current selection (its filters), every row of it, streamed."""
    filters = AssessmentFilterForm(request.GET or None)
    header = [_("Scheduled for"), _("First name"), _("Last name"), _("E-mail address"), _("Qualification"),
              _("Location"), _("Status"), _("First assessor"), _("Second assessor"), _("Certificate number"),
              _("Certificate")]
    return export_response(file_format, "assessments", header, selectors.assessment_export_rows(**filters.filters()))


@access.administrator_required
def assessments_import(request):
    """Check a spreadsheet of assessments to schedule (every row's problems, nothing stored),
    then import it: all rows or none."""
    form = AssessmentsImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.assessments_import(created_by=request.user, rows=form.rows,
                                             write="import" in request.POST)
        if report.written:
            messages.success(request, _("%(count)s assessments were scheduled.") % {"count": len(report.created)})
            return redirect("assessments:dashboard")
    return render(request, "import.html", {
        "form": form, "report": report, "title": _("Import assessments"),
        "columns": "candidate, qualification, first_assessor, second_assessor, scheduled_at, location",
    })
