"""Pages for administrators (test centre staff). The Django admin covers everything else."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.forms import add_service_errors

from . import access, selectors, services
from .forms import AssessmentForm, AssessorsForm


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
