from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .health import health_report, healthy
from .metrics import may_read_metrics, portal_registry, queue_registry


@never_cache
def health(request):
    """For load balancers and monitoring: one JSON answer, each check's result and the whole
    (200 when every check is ok or disabled, 503 otherwise)."""
    report = health_report()
    ok = healthy(report)
    return JsonResponse({"status": "ok" if ok else "error", **report}, status=200 if ok else 503)


@never_cache
def metrics(request):
    """Prometheus's text format, for the scrapers ``may_read_metrics`` lets in; a 404 for others."""
    if not may_read_metrics(request):
        raise Http404
    body = generate_latest(portal_registry()) + generate_latest(queue_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
