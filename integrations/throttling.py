"""Requests are limited per API key (or per person signed in, or per client address without
either), counted in the cache shared by every process (Redis in production)."""

from rest_framework.throttling import SimpleRateThrottle

from .permissions import acting_key


class PerCallerThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view) -> str:
        key = acting_key(request)
        if key is not None:
            caller = f"key-{key.prefix}"
        elif request.user.is_authenticated:
            caller = f"user-{request.user.pk}"
        else:
            caller = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": caller}
