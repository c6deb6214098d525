from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


def home(request):
    if request.user.is_authenticated:
        return redirect("assessments:dashboard")
    return render(request, "home.html")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that do not name an icon (the Django admin)."""
    return redirect(static("favicon.svg"), permanent=True)


@never_cache
def health(request):
    """For the load balancer: 200 when the database and the broker answer, 503 otherwise."""
    from portal.celery import app

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 -- report any failure, never raise
        checks["database"] = f"error: {type(error).__name__}"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["broker"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


# --- Error pages: in the portal's layout and the visitor's language (LocaleMiddleware has run),
# each with a way back. Django calls these only when DEBUG is off.


def _error_page(request, template: str, status: int):
    return render(request, template, status=status)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


def csrf_failure(request, reason: str = ""):
    """A form sent from a stale page (an expired session, a second tab): say how to go on."""
    return _error_page(request, "403_csrf.html", 403)


def server_error(request):
    """Rendered without the request's context processors: the database may be what failed, and
    the signed-in user, the messages and the session all read it."""
    return HttpResponseServerError(render_to_string("500.html"))
