from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
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
