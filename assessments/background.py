"""The dashboard's export and the assessments import, as the worker runs them when long (jobs)."""

from django.http import QueryDict
from django.utils.translation import gettext as _

from jobs.api import ExportKind, ImportKind, Table, register

from . import selectors, services
from .forms import AssessmentFilterForm, AssessmentsImportForm

ASSESSMENTS_EXPORT = "assessments-export"
ASSESSMENTS_IMPORT = "assessments-import"


def assessments_table(query: QueryDict) -> Table:
    filters = AssessmentFilterForm(query or None).filters()
    header = [
        _("Scheduled for"),
        _("First name"),
        _("Last name"),
        _("E-mail address"),
        _("Qualification"),
        _("Location"),
        _("Status"),
        _("First assessor"),
        _("Second assessor"),
        _("Number of the proof"),
        _("Proof"),
    ]
    return Table(
        header=header,
        rows=selectors.assessment_export_rows(**filters),
        count=lambda: selectors.assessments_filtered(**filters).count(),
    )


register(ExportKind(kind=ASSESSMENTS_EXPORT, name="assessments", table=assessments_table))
register(
    ImportKind(
        kind=ASSESSMENTS_IMPORT,
        form_class=AssessmentsImportForm,
        run=services.assessments_import,
        done_url="assessments:dashboard",
    )
)
