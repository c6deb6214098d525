"""Pages after a decision: re-assessment of the remaining competencies and objections."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.forms import add_service_errors

from . import access, selectors, services
from .forms import FollowUpForm, ObjectionForm, ObjectionOutcomeForm


@access.administrator_required
def reassess(request, pk: int):
    previous = access.get_assessment(request.user, pk)
    form = FollowUpForm(
        request.POST or None,
        initial={
            "first_assessor": previous.first_assessor,
            "second_assessor": previous.second_assessor,
            "location": previous.location,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.reassessment_schedule(actor=request.user, previous=previous, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The re-assessment was scheduled."))
            return redirect("assessments:detail", pk=assessment.pk)
    return render(
        request,
        "form.html",
        {
            "form": form,
            "title": _("Schedule a re-assessment"),
            "assessment": previous,
            "carried": selectors.proven_so_far(previous),
        },
    )


@login_required
def objection_lodge(request, pk: int):
    assessment = access.get_candidate_assessment(request.user, pk)
    form = ObjectionForm(request.POST or None, disputable=selectors.not_proven(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_lodge(
                actor=request.user,
                assessment=assessment,
                competencies=list(form.cleaned_data["competencies"]),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your objection was lodged. The test centre will decide on it."))
            return redirect("assessments:detail", pk=pk)
    return render(request, "form.html", {"form": form, "title": _("Object to the decision"), "assessment": assessment})


@access.administrator_required
def objection_decide(request, pk: int):
    objection = access.get_objection(request.user, pk)
    form = ObjectionOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_decide(actor=request.user, objection=objection, **form.decision())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The outcome of the objection was recorded."))
            return redirect("assessments:detail", pk=pk)
    return render(
        request,
        "form.html",
        {
            "form": form,
            "title": _("Decide on the objection"),
            "assessment": objection.assessment,
            "objection": objection,
        },
    )
