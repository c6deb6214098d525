from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from accounts.access import administrator_required
from portal.ids import parse_id
from portal.pagination import query_without_page

from .selectors import audit_entries


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
    page = Paginator(audit_entries(**_subject_filter(request)), 50).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"page": page, "query": query_without_page(request)})
