"""The audit trail's export, as the worker writes it when long (jobs)."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from jobs.api import ExportKind, Table, register
from portal.ids import parse_id

from .forms import AuditFilterForm
from .selectors import audit_entries, audit_export_rows

AUDIT_EXPORT = "audit-export"


def subject_filter(query) -> dict:
    """``?about=<app>.<model>:<id>`` narrows the trail to one subject (an assessment's link).

    A filter that cannot name a subject is a 404, like a link to an object that does not exist.
    """
    if "about" not in query:
        return {}
    kind, _sep, pk = query["about"].partition(":")
    app_label, _dot, model = kind.partition(".")
    subject_id = parse_id(pk)
    subject_type = ContentType.objects.filter(app_label=app_label, model=model).first()
    if subject_id is None or subject_type is None:
        raise Http404
    return {"subject_type": subject_type, "subject_id": subject_id}


def audit_table(query: QueryDict) -> Table:
    entries = audit_entries(**subject_filter(query), **AuditFilterForm(query or None).filters())
    header = [_("When"), _("Who"), _("What"), _("About"), _("Summary")]
    return Table(header=header, rows=audit_export_rows(entries), count=entries.count)


register(ExportKind(kind=AUDIT_EXPORT, name="audit-trail", table=audit_table))
