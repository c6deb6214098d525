"""Views of the procedure: parse input, check access (``access``), call one service, respond."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.api import latest_about
from portal.downloads import private_file_response
from portal.forms import add_service_errors
from portal.pagination import Keyset, keyset_page, page_of

from . import access, kept_uploads, selectors, services
from .forms import AssessmentFilterForm, PortfolioItemForm, RevisionForm, ScoreSheetForm
from .uploads import refuse_oversized

# Refusals that make the page itself pointless (the step is over): back to the assessment page.
STEP_OVER = {"portfolio_closed", "locked", "scoring_closed"}


def _fail(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _back(request, pk: int, error: ValidationError):
    _fail(request, error)
    return redirect("assessments:detail", pk=pk)


def _valid(form, request) -> bool:
    """Form validation, plus "too large" on any file the upload handler stopped."""
    valid = form.is_valid()
    return not refuse_oversized(form, request) and valid


@login_required
def dashboard(request):
    user = request.user
    if user.is_administrator:
        filters = AssessmentFilterForm(request.GET or None)
        # Opens on today's sessions and the next ones; "previous" goes back in time.
        keyset = Keyset(selectors.assessment_list(**filters.filters()), ("scheduled_at", "pk"))
        today = (selectors.local_day_start(timezone.localdate()), 0)
        return render(
            request,
            "assessments/dashboard_administrator.html",
            {
                "page": keyset_page(request, keyset, start=today),
                "filters": filters,
            },
        )
    if user.is_assessor:
        # The latest sessions first, as before: either seat's, merged page by page.
        keyset = Keyset(selectors.assessor_assessments(user), ("scheduled_at", "pk"), descending=True)
        return render(request, "assessments/dashboard_assessor.html", {"page": keyset_page(request, keyset)})
    return render(
        request,
        "assessments/dashboard_candidate.html",
        {"page": page_of(request, selectors.candidate_assessments(user))},
    )


@login_required
def assessment_detail(request, pk: int):
    assessment = access.get_assessment(request.user, pk)
    administrator = request.user.is_administrator
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "portfolio": selectors.portfolio(assessment),
            "results": selectors.competency_pairs(assessment) if assessment.is_decided else [],
            "sheets": selectors.score_sheets(assessment) if administrator else [],
            "steps": selectors.next_steps(assessment, request.user),
            "outcome": selectors.outcome(assessment, request.user),
            "audit_entries": latest_about(assessment) if administrator else [],
        },
    )


@login_required
def assessment_timeline(request, pk: int):
    assessment = access.get_timeline_assessment(request.user, pk)
    return render(request, "assessments/timeline.html", {"timeline": selectors.candidate_timeline(assessment)})


@login_required
def portfolio_add(request, pk: int):
    assessment = access.get_candidate_assessment(request.user, pk)
    if request.method != "POST":
        try:
            services.portfolio_check_open(assessment)
        except ValidationError as error:
            return _back(request, pk, error)
    kept = kept_uploads.kept_upload(request.session, assessment)
    form = PortfolioItemForm(request.POST or None, request.FILES or None, assessment=assessment, kept=kept)
    if request.method == "POST":
        if _valid(form, request):
            upload = form.cleaned_data["file"]
            if form.uses_kept_file():
                upload = kept_uploads.open_upload(request.session, assessment)
            try:
                services.portfolio_item_add(
                    actor=request.user,
                    assessment=assessment,
                    upload=upload,
                    description=form.cleaned_data["description"],
                    competencies=list(form.cleaned_data["competencies"]),
                    indicators=list(form.cleaned_data["indicators"]),
                )
            except ValidationError as error:
                if getattr(error, "code", None) in STEP_OVER:
                    kept_uploads.discard_upload(request.session)
                    return _back(request, pk, error)
                add_service_errors(form, error)
            else:
                kept_uploads.discard_upload(request.session)
                messages.success(request, _("The file was added to your portfolio."))
                return redirect("assessments:detail", pk=pk)
            finally:
                if form.uses_kept_file() and upload is not None:
                    upload.close()
        # Browsers do not fill in a file input again: keep the chosen file and offer it.
        form.offer_kept(
            kept_uploads.keep_upload(request.session, assessment, form.files.get("file"), actor=request.user)
        )
    return render(
        request,
        "assessments/portfolio_form.html",
        {
            "assessment": assessment,
            "form": form,
            "max_file_size": settings.UPLOAD_MAX_FILE_SIZE,
            "max_portfolio_size": settings.UPLOAD_MAX_PORTFOLIO_SIZE,
        },
    )


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
    return private_file_response(
        lambda: services.portfolio_item_open(actor=request.user, item=item),
        download_name=item.original_name,
        content_type=item.content_type,
    )


@login_required
def observation_download(request, pk: int, observation_pk: int):
    observation = access.get_observation(request.user, pk, observation_pk)
    return private_file_response(
        lambda: services.observation_open(actor=request.user, observation=observation),
        download_name=observation.original_name,
        content_type=observation.content_type,
    )


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
            messages.warning(
                request,
                _("The assessment lasted longer than the %(hours)s hours allowed.")
                % {"hours": assessment.qualification.max_assessment_hours},
            )
    return redirect("assessments:detail", pk=pk)


@login_required
def score_sheet(request, pk: int):
    sheet = access.get_own_score_sheet(request.user, pk)
    assessment = sheet.assessment
    judgements = selectors.sheet_judgements(sheet)
    form = ScoreSheetForm(request.POST or None, request.FILES or None, judgements=judgements)
    if request.method == "POST" and _valid(form, request):
        submit = "submit" in request.POST
        try:
            services.score_sheet_save(actor=request.user, sheet=sheet, entries=form.entries(), submit=submit)
        except ValidationError as error:
            if getattr(error, "code", None) in STEP_OVER:
                return _back(request, pk, error)
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your score sheet was submitted.") if submit else _("Your draft was saved."))
            return redirect("assessments:detail" if submit else "assessments:score_sheet", pk=pk)
    linked = selectors.portfolio_by_competency(selectors.portfolio(assessment))
    for judgement in judgements:
        judgement.portfolio_items = linked.get(judgement.competency_id, [])  # type: ignore[attr-defined]
    return render(
        request,
        "assessments/score_sheet.html",
        {
            "assessment": assessment,
            "sheet": sheet,
            "form": form,
            "outcome": selectors.outcome(assessment, request.user),
        },
    )


# Refusals about the whole assessment, not one revision form: the page says so at the top.
NOT_ABOUT_THE_FORM = {"not_reconciliation", "agreed", "not_own_judgement", "wrong_status", "changed"}


def _reconciliation_page(request, assessment, bound: RevisionForm | None = None):
    """Both sheets side by side; ``bound`` is a refused revision, shown with its errors and choice."""
    pairs = selectors.competency_pairs(assessment)
    open_for_me = assessment.is_assessor(request.user) and selectors.allowed(
        lambda: services.reconciliation_check_open(assessment)
    )

    def form_for(pair):
        prefix = f"r{pair.competency.pk}"
        return bound if bound is not None and bound.prefix == prefix else RevisionForm(prefix=prefix)

    rows = [(pair, form_for(pair) if open_for_me and not pair.agreed else None) for pair in pairs]
    return render(
        request,
        "assessments/reconciliation.html",
        {
            "assessment": assessment,
            "rows": rows,
            "open_for_me": open_for_me,
            "disputed": [pair for pair in pairs if not pair.agreed],
        },
    )


@login_required
def reconciliation(request, pk: int):
    assessment = access.get_staff_assessment(request.user, pk)
    if assessment.is_blind:
        messages.info(request, _("Reconciliation opens when both assessors have submitted their score sheets."))
        return redirect("assessments:detail", pk=pk)
    return _reconciliation_page(request, assessment)


def _outcome_message(assessment) -> str:
    if assessment.status == assessment.Status.CERTIFIED:
        return _("Your judgement was revised. The assessors now agree on every competency: the candidate is certified.")
    return _("Your judgement was revised. The assessors now agree on every competency: the candidate is not certified.")


@require_POST
@login_required
def judgement_revise(request, pk: int, competency_pk: int):
    sheet = access.get_own_score_sheet(request.user, pk)
    assessment = sheet.assessment
    form = RevisionForm(request.POST, prefix=f"r{competency_pk}")
    if form.is_valid():
        try:
            services.judgement_revise(
                actor=request.user,
                assessment=assessment,
                competency_id=competency_pk,
                proven=form.proven_value(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) in NOT_ABOUT_THE_FORM:
                _fail(request, error)
                return redirect("assessments:reconciliation", pk=pk)
            add_service_errors(form, error)
        else:
            assessment.refresh_from_db()
            if assessment.is_decided:  # that was the last disagreement: show the decision
                messages.success(request, _outcome_message(assessment))
                return redirect("assessments:detail", pk=pk)
            messages.success(request, _("Your judgement was revised."))
            return redirect("assessments:reconciliation", pk=pk)
    return _reconciliation_page(request, assessment, bound=form)
