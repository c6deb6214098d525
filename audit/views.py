from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.api import administrator_required
from portal.exports import export_response
from portal.ids import parse_id
from portal.pagination import Keyset, keyset_page

from .forms import AuditFilterForm
from .selectors import audit_entries, audit_entry_sources, audit_export_rows


def _subject_filter(request) -> dict:
    """``?about=<app>.<model>:<id>`` narrows the trail to one subject (an assessment's link).

    A filter that cannot name a subject is a 404, like a link to an object that does not exist.
    """
    if "about" not in request.GET:
        return {}
    kind, _sep, pk = request.GET["about"].partition(":")
    app_label, _dot, model = kind.partition(".")
    subject_id = parse_id(pk)
    subject_type = ContentType.objects.filter(app_label=app_label, model=model).first()
    if subject_id is None or subject_type is None:
        raise Http404
    return {"subject_type": subject_type, "subject_id": subject_id}


@administrator_required
def trail(request):
    filters = AuditFilterForm(request.GET or None)
    sources = audit_entry_sources(**_subject_filter(request), **filters.filters())
    # Newest first, page after page from indexes ending in (created_at, id): never counted, never skipped.
    page = keyset_page(request, Keyset(sources, ("created_at", "pk"), descending=True, per_page=50))
    return render(request, "audit/trail.html", {"page": page, "filters": filters})


@administrator_required
def trail_export(request, file_format: str):
    """The trail as filtered on the page, every entry of it, streamed."""
    filters = AuditFilterForm(request.GET or None)
    entries = audit_entries(**_subject_filter(request), **filters.filters())
    header = [_("When"), _("Who"), _("What"), _("About"), _("Summary")]
    return export_response(file_format, "audit-trail", header, audit_export_rows(entries))
