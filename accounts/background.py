"""The People page's export and the candidates import, as the worker runs them when long (jobs)."""

from django.http import QueryDict
from django.utils.translation import gettext as _

from jobs.api import ExportKind, ImportKind, Table, register

from . import selectors, services
from .forms import CandidatesImportForm, PeopleFilterForm

PEOPLE_EXPORT = "people-export"
CANDIDATES_IMPORT = "candidates-import"


def people_table(query: QueryDict) -> Table:
    filters = PeopleFilterForm(query or None).filters()
    header = [_("Last name"), _("First name"), _("E-mail address"), _("Role"), _("Language"), _("Account")]
    return Table(
        header=header,
        rows=selectors.people_export_rows(**filters),
        count=lambda: selectors.people(**filters).count(),
    )


register(ExportKind(kind=PEOPLE_EXPORT, name="people", table=people_table))
register(
    ImportKind(
        kind=CANDIDATES_IMPORT, form_class=CandidatesImportForm, run=services.candidates_import, done_url="people"
    )
)
