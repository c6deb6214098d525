"""Login throttling.

After LOGIN_FAILURE_LIMIT failures for one e-mail address, sign-in to that account waits
LOGIN_LOCKOUT_SECONDS (guessing one password gets nowhere). One client address gets ten times as
many failures before it waits (spraying many accounts from one machine gets nowhere either, while
many people behind one proxy are not locked out by a few typos). Behind a proxy, set
LOGIN_TRUST_X_FORWARDED_FOR so the client's own address is counted. Counts live in the cache;
production shares them through Redis.
"""

from django.conf import settings
from django.core.cache import cache

ADDRESS_FACTOR = 10


def client_address(request) -> str:
    if settings.LOGIN_TRUST_X_FORWARDED_FOR and request.META.get("HTTP_X_FORWARDED_FOR"):
        # The proxy appends the address it saw last: the one a client cannot forge.
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _limits(email: str, address: str) -> dict[str, int]:
    limit = settings.LOGIN_FAILURE_LIMIT
    return {f"login-failures:email:{email}": limit, f"login-failures:addr:{address}": limit * ADDRESS_FACTOR}


def is_locked(email: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _limits(email, address).items())


def record_failure(email: str, address: str) -> None:
    for key in _limits(email, address):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def record_success(email: str, address: str) -> None:
    # Only the account's count: signing in to one's own account must not reset an address
    # that is spraying others.
    cache.delete(f"login-failures:email:{email}")
