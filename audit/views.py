from django.shortcuts import render

from accounts.api import administrator_required
from jobs import api as jobs
from portal.pagination import Keyset, keyset_page

from .background import AUDIT_EXPORT, subject_filter
from .forms import AuditFilterForm
from .selectors import audit_entry_sources


@administrator_required
def trail(request):
    filters = AuditFilterForm(request.GET or None)
    sources = audit_entry_sources(**subject_filter(request.GET), **filters.filters())
    # Newest first, page after page from indexes ending in (created_at, id): never counted, never skipped.
    page = keyset_page(request, Keyset(sources, ("created_at", "pk"), descending=True, per_page=50))
    return render(request, "audit/trail.html", {"page": page, "filters": filters})


@administrator_required
def trail_export(request, file_format: str):
    """The trail as filtered on the page, every entry of it, streamed."""
    return jobs.export(request, kind=AUDIT_EXPORT, file_format=file_format)
