"""The reports page and its exports, for administrators; fresh figures on request."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api import administrator_required
from jobs import api as jobs
from portal.exports import export_response

from . import background, selectors, services


@administrator_required
def report(request):
    per_competency, per_pair = selectors.assessor_agreement(pairs=selectors.PAIRS_SHOWN)
    return render(
        request,
        "reports/report.html",
        {
            "freshness": selectors.freshness(),
            "figures": selectors.report_figures(assessors=selectors.ASSESSORS_SHOWN),
            "assessors_shown": selectors.ASSESSORS_SHOWN,
            "outcomes": selectors.outcomes_per_month(),
            "not_proven": selectors.competencies_not_proven(),
            "objections": selectors.objection_outcomes(),
            "agreement": [(_("Per competency"), per_competency), (_("Per assessor pair"), per_pair)],
            "pairs_shown": selectors.PAIRS_SHOWN,
        },
    )


@require_POST
@administrator_required
def refresh(request):
    """Queue a refresh of the figures; the page says it is on its way until it is done."""
    services.refresh_request()
    messages.success(request, _("The figures are being counted again; reload the page in a moment."))
    return redirect("reports:report")


@administrator_required
def report_export(request, file_format: str):
    header = [_("Section"), _("Item"), _("Number"), _("Out of")]
    return export_response(file_format, "report", header, selectors.report_rows(selectors.report_figures()))


@administrator_required
def report_outcomes_export(request, file_format: str):
    """The outcome reports, every assessor pair included, as sections of one sheet: at once when
    short, otherwise a job (a large centre has many thousands of pairs)."""
    return jobs.export(request, kind=background.OUTCOME_REPORTS_EXPORT, file_format=file_format)
