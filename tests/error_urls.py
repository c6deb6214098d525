"""The portal's URLs plus views that fail, to reach the error handlers through the whole stack."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("bad input")


def broken(request):
    raise RuntimeError("the database went away")


def personal(request):
    raise ValueError(f"no account for {request.POST.get('email')} born {request.POST.get('born')} (1990-05-17)")


urlpatterns = [
    path("test/personal/", personal),
    path("test/forbidden/", forbidden),
    path("test/suspicious/", suspicious),
    path("test/broken/", broken),
    *urlpatterns,
]
