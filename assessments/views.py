"""Views of the procedure: parse input, check access (``access``), call one service, respond."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certificates.selectors import certificate_panel
from portal.downloads import private_file_response

from . import access, audit, selectors, services
from .forms import AssessmentFilterForm, PortfolioItemForm, RevisionForm, ScoreSheetForm
from .models import Assessment, ScoreSheet
from .uploads import refuse_oversized

PAGE_SIZE = 20


def _fail(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _valid(form, request) -> bool:
    """Form validation, plus "too large" on any file the upload handler stopped."""
    valid = form.is_valid()
    return not refuse_oversized(form, request) and valid


def query_without_page(request) -> str:
    """The current filters, to carry over to the other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def dashboard(request):
    user = request.user
    visible = Assessment.objects.for_user(user)
    if user.is_administrator:
        filters = AssessmentFilterForm(request.GET or None)
        assessments = selectors.assessments_with_progress(filters.filter(visible))
        return render(request, "assessments/dashboard_administrator.html", {
            "page": _page(request, assessments), "filters": filters, "query": query_without_page(request),
        })
    if user.is_assessor:
        own_sheet = ScoreSheet.objects.filter(assessment=OuterRef("pk"), assessor=user).values("status")[:1]
        assessments = visible.with_people().annotate(my_sheet=Subquery(own_sheet))
        return render(request, "assessments/dashboard_assessor.html", {"page": _page(request, assessments)})
    return render(request, "assessments/dashboard_candidate.html",
                  {"page": _page(request, visible.with_people())})


@login_required
def assessment_detail(request, pk: int):
    assessment = access.get_assessment(request.user, pk)
    items = selectors.portfolio(assessment)
    decided_pairs = selectors.competency_pairs(assessment) if assessment.is_decided else []
    context = {
        "assessment": assessment,
        "portfolio": items,
        "results": decided_pairs,
        "sheets": assessment.score_sheets.select_related("assessor") if request.user.is_administrator else [],
        "own_sheet": selectors.sheet_for_assessor(assessment, request.user),
        "certificate": certificate_panel(assessment, request.user),
        "audit_entries": (
            assessment.audit_entries.select_related("actor")[:10] if request.user.is_administrator else []
        ),
    }
    return render(request, "assessments/detail.html", context)


@login_required
def portfolio_add(request, pk: int):
    assessment = access.get_candidate_assessment(request.user, pk)
    if not assessment.portfolio_open:
        messages.error(request, _("The portfolio is closed: scoring has started."))
        return redirect("assessments:detail", pk=pk)
    form = PortfolioItemForm(request.POST or None, request.FILES or None, assessment=assessment)
    if request.method == "POST" and _valid(form, request):
        try:
            services.portfolio_item_add(
                actor=request.user, assessment=assessment, upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                competencies=list(form.cleaned_data["competencies"]),
                indicators=list(form.cleaned_data["indicators"]),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The file was added to your portfolio."))
            return redirect("assessments:detail", pk=pk)
    return render(request, "assessments/portfolio_form.html", {
        "assessment": assessment, "form": form, "max_file_size": settings.UPLOAD_MAX_FILE_SIZE,
        "max_portfolio_size": settings.UPLOAD_MAX_PORTFOLIO_SIZE,
    })


@require_POST
@login_required
def portfolio_withdraw(request, pk: int, item_pk: int):
    item = access.get_candidate_portfolio_item(request.user, pk, item_pk)
    try:
        services.portfolio_item_withdraw(actor=request.user, item=item)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The file was withdrawn from your portfolio."))
    return redirect("assessments:detail", pk=pk)


@login_required
def portfolio_download(request, pk: int, item_pk: int):
    item = access.get_portfolio_item(request.user, pk, item_pk)
    response = private_file_response(item.file, download_name=item.original_name, content_type=item.content_type)
    audit.record(actor=request.user, action=audit.Action.FILE_DOWNLOADED, assessment_id=pk,
                 summary=item.original_name, kind="portfolio", item_id=item.pk)
    return response


@login_required
def observation_download(request, pk: int, observation_pk: int):
    observation = access.get_observation(request.user, pk, observation_pk)
    response = private_file_response(observation.file, download_name=observation.original_name,
                                     content_type=observation.content_type)
    audit.record(actor=request.user, action=audit.Action.FILE_DOWNLOADED, assessment_id=pk,
                 summary=observation.original_name, kind="observation", observation_id=observation.pk)
    return response


@require_POST
@login_required
def assessment_start(request, pk: int):
    assessment = access.get_staff_assessment(request.user, pk)
    try:
        services.assessment_start(actor=request.user, assessment=assessment)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The start of the assessment was recorded; scoring is open."))
    return redirect("assessments:detail", pk=pk)


@require_POST
@login_required
def assessment_end(request, pk: int):
    assessment = access.get_staff_assessment(request.user, pk)
    try:
        assessment = services.assessment_end(actor=request.user, assessment=assessment)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The end of the assessment was recorded."))
        if assessment.ran_over:
            messages.warning(request, _("The assessment lasted longer than the %(hours)s hours allowed.")
                             % {"hours": assessment.qualification.max_assessment_hours})
    return redirect("assessments:detail", pk=pk)


@login_required
def score_sheet(request, pk: int):
    sheet = access.get_own_score_sheet(request.user, pk)
    assessment = sheet.assessment
    judgements = selectors.sheet_judgements(sheet)
    form = ScoreSheetForm(request.POST or None, request.FILES or None, judgements=judgements)
    if request.method == "POST":
        if sheet.is_submitted:
            messages.error(request, _("This score sheet has been submitted and is locked."))
            return redirect("assessments:detail", pk=pk)
        submit = "submit" in request.POST
        if _valid(form, request) and (not submit or form.check_complete()):
            try:
                services.score_sheet_save(actor=request.user, sheet=sheet, entries=form.entries(), submit=submit)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Your score sheet was submitted.") if submit
                                 else _("Your draft was saved."))
                return redirect("assessments:detail" if submit else "assessments:score_sheet", pk=pk)
    linked = selectors.portfolio_by_competency(selectors.portfolio(assessment))
    for judgement in judgements:
        judgement.portfolio_items = linked.get(judgement.competency_id, [])
    return render(request, "assessments/score_sheet.html", {"assessment": assessment, "sheet": sheet, "form": form})


@login_required
def reconciliation(request, pk: int):
    assessment = access.get_staff_assessment(request.user, pk)
    if assessment.status in (Assessment.Status.REGISTERED, Assessment.Status.SCORING):
        messages.info(request, _("Reconciliation opens when both assessors have submitted their score sheets."))
        return redirect("assessments:detail", pk=pk)
    pairs = selectors.competency_pairs(assessment)
    open_for_me = assessment.status == Assessment.Status.RECONCILIATION and assessment.is_assessor(request.user)
    forms_by_competency = {}
    if open_for_me:
        for pair in pairs:
            if not pair.agreed:
                forms_by_competency[pair.competency.pk] = RevisionForm(prefix=f"r{pair.competency.pk}")
    rows = [(pair, forms_by_competency.get(pair.competency.pk)) for pair in pairs]
    return render(request, "assessments/reconciliation.html", {
        "assessment": assessment, "rows": rows, "open_for_me": open_for_me,
        "disagreements": sum(not pair.agreed for pair in pairs),
    })


@require_POST
@login_required
def judgement_revise(request, pk: int, competency_pk: int):
    sheet = access.get_own_score_sheet(request.user, pk)
    judgement = sheet.judgements.filter(competency_id=competency_pk).first()
    form = RevisionForm(request.POST, prefix=f"r{competency_pk}")
    if judgement is None:
        messages.error(request, _("That competency is not part of this assessment."))
    elif not form.is_valid():
        messages.error(request, _("Choose your judgement and give the reason for the revision."))
    else:
        try:
            services.judgement_revise(actor=request.user, judgement=judgement,
                                      proven=form.cleaned_data["proven"] == "yes", reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Your judgement was revised."))
    return redirect("assessments:reconciliation", pk=pk)
