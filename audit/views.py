from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.access import administrator_required
from portal.pagination import query_without_page

from .selectors import audit_entries


def _subject_filter(request) -> dict:
    """``?about=<app>.<model>:<id>`` narrows the trail to one subject (an assessment's link)."""
    kind, _sep, pk = request.GET.get("about", "").partition(":")
    app_label, _dot, model = kind.partition(".")
    if not pk.isdigit() or len(pk) > 18:
        return {}
    subject_type = ContentType.objects.filter(app_label=app_label, model=model).first()
    return {"subject_type": subject_type, "subject_id": int(pk)} if subject_type else {}


@administrator_required
def trail(request):
    page = Paginator(audit_entries(**_subject_filter(request)), 50).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"page": page, "query": query_without_page(request)})
