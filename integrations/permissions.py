"""What an API key may reach: the resource of the endpoint, read or written, per its scopes.

What a person (or the administrator a key acts for) may see of each object is decided by the
apps' own access rules, called by the views; a key only narrows it."""

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiKey


def acting_key(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


class SignedInWithinScope(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        key = acting_key(request)
        write = request.method not in SAFE_METHODS
        if key is not None and not key.allows(view.resource, write=write):
            self.message = (
                _("This API key may not change %(resource)s.")
                if write
                else _("This API key may not read %(resource)s.")
            ) % {"resource": view.resource}
            self.code = "scope_missing"
            return False
        return True


class Public(BasePermission):
    def has_permission(self, request, view) -> bool:
        return True
