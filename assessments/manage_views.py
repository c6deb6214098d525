"""Pages for administrators (test centre staff). The Django admin covers everything else."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, services
from .forms import AccountForm, AssessmentForm, AssessorsForm
from .models import Assessment, AuditEntry, User
from .views import query_without_page

ROLES_CREATED_HERE = {"candidate": User.Role.CANDIDATE, "assessor": User.Role.ASSESSOR}


@access.administrator_required
def people(request):
    accounts = User.objects.filter(role__in=ROLES_CREATED_HERE.values()).order_by("role", "last_name", "first_name")
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    return render(request, "assessments/manage/people.html", {"page": page})


@access.administrator_required
def account_create(request, role: str):
    if role not in ROLES_CREATED_HERE:
        raise Http404
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, invited = services.account_create(
                created_by=request.user, role=ROLES_CREATED_HERE[role], **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            names = {"name": user.full_name, "email": user.email}
            if invited:
                messages.success(request, _("%(name)s was created; the invitation was sent to %(email)s.") % names)
            else:
                messages.warning(request, _("%(name)s was created, but the invitation to %(email)s could not be "
                                            "sent. Send it again from this page later.") % names)
            return redirect("assessments:people")
    title = _("New candidate") if role == "candidate" else _("New assessor")
    return render(request, "assessments/manage/form.html", {"form": form, "title": title})


@require_POST
@access.administrator_required
def invitation_resend(request, user_pk: int):
    user = get_object_or_404(User, pk=user_pk, role__in=ROLES_CREATED_HERE.values(), is_active=True)
    if services.invitation_send(user=user):
        messages.success(request, _("A new invitation was sent to %(email)s.") % {"email": user.email})
    else:
        messages.error(request, _("The invitation to %(email)s could not be sent. Try again later.")
                       % {"email": user.email})
    return redirect("assessments:people")


@access.administrator_required
def assessment_create(request):
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The assessment was created."))
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "assessments/manage/form.html", {"form": form, "title": _("New assessment")})


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
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The assessors were changed."))
            return redirect("assessments:detail", pk=pk)
    return render(request, "assessments/manage/form.html",
                  {"form": form, "title": _("Assessors"), "assessment": assessment})


@access.administrator_required
def audit_trail(request):
    entries = AuditEntry.objects.select_related("actor", "assessment__candidate")
    if request.GET.get("assessment", "").isdigit():
        entries = entries.filter(assessment_id=int(request.GET["assessment"]))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "assessments/manage/audit.html", {"page": page, "query": query_without_page(request)})


@access.administrator_required
def report(request):
    """Counts per status and qualification, certification rate, overruns and assessor workload."""
    statuses = dict(Assessment.objects.values_list("status").annotate(n=Count("pk")))
    by_status = [(label, statuses.get(value, 0)) for value, label in Assessment.Status.choices]
    certified = statuses.get(Assessment.Status.CERTIFIED, 0)
    decided = certified + statuses.get(Assessment.Status.NOT_CERTIFIED, 0)
    ended = Assessment.objects.filter(ended_at__isnull=False).select_related("qualification")
    overruns = [a for a in ended.only("started_at", "ended_at", "qualification__max_assessment_hours") if a.ran_over]
    open_statuses = [Assessment.Status.REGISTERED, Assessment.Status.SCORING, Assessment.Status.RECONCILIATION]
    workload = _assessor_workload(open_statuses)
    return render(request, "assessments/manage/report.html", {
        "by_status": by_status, "total": sum(statuses.values()), "decided": decided, "certified": certified,
        "rate": round(100 * certified / decided) if decided else None, "overruns": len(overruns),
        "ended": ended.count(), "workload": workload,
    })


def _assessor_workload(open_statuses) -> list[tuple[User, int, int]]:
    """(assessor, open assessments, all assessments) per assessor, in two queries."""
    rows: dict[int, list[int]] = {}
    for first, second, status in Assessment.objects.values_list("first_assessor", "second_assessor", "status"):
        for assessor_id in (first, second):
            counts = rows.setdefault(assessor_id, [0, 0])
            counts[0] += status in open_statuses
            counts[1] += 1
    assessors = User.objects.filter(pk__in=rows).order_by("last_name", "first_name")
    return [(assessor, *rows[assessor.pk]) for assessor in assessors]
