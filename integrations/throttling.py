"""Requests are limited per API key (or per person signed in, or per client network without
either), counted in the cache shared by every process (Redis in production). Failed API keys
are limited per client network too, before any key is checked: DRF authenticates before it
throttles, so the limits per caller never see a refused key."""

from rest_framework.throttling import SimpleRateThrottle

from accounts.api import client_network

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
            # The address, or for IPv6 its /64: a subscriber holds a whole /64.
            caller = f"network-{client_network(request)}"
        return self.cache_format % {"scope": self.scope, "ident": caller}


class FailedKeyThrottle(SimpleRateThrottle):
    """The refused API keys of one client network (``accounts.api.client_network``): past the
    limit, no key from it is checked until the window has passed."""

    scope = "api_key_failures"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_network(request)}

    def _recent(self, request) -> None:
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def refused_for(self, request) -> float | None:
        """Seconds to wait when the network is past its limit of refused keys, else None."""
        self._recent(request)
        return self.wait() if len(self.history) >= self.num_requests else None

    def count_failure(self, request) -> None:
        self._recent(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
