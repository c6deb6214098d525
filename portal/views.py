from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static

from integrations.problems import error_problem


def home(request):
    if request.user.is_authenticated:
        return redirect("assessments:dashboard")
    return render(request, "home.html")


def favicon(request):
    """Browsers ask for /favicon.ico on pages that do not name an icon (the Django admin)."""
    return redirect(static("favicon.svg"), permanent=True)


# --- Error pages: in the portal's layout and the visitor's language (LocaleMiddleware has run),
# each with a way back. Django calls these only when DEBUG is off.


def _error_page(request, template: str, status: int):
    return render(request, template, status=status)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def bad_request(request, exception=None):
    # Under the API (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, any SuspiciousOperation): a problem detail.
    return error_problem(request, exception or ValueError()) or _error_page(request, "400.html", 400)


def csrf_failure(request, reason: str = ""):
    """A form sent from a stale page (an expired session, a second tab): say how to go on."""
    return _error_page(request, "403_csrf.html", 403)


def server_error(request):
    """Rendered without the request's context processors: the database may be what failed, and
    the signed-in user, the messages and the session all read it."""
    return error_problem(request) or HttpResponseServerError(render_to_string("500.html"))
