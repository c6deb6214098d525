"""Role checks shared by every app's views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def administrator_required(view):
    """Administrators only; anybody else signed in gets a 404, anonymous visitors the login page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_administrator:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
