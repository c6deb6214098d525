"""Login throttling: after LOGIN_FAILURE_LIMIT failures for one account or one address, wait.

Counts live in the cache (shared between web processes when the cache is Redis), per e-mail
address and per client address, so neither guessing one password nor spraying many accounts
from one machine gets far.
"""

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, address: str) -> list[str]:
    return [f"login-failures:email:{email.strip().lower()}", f"login-failures:addr:{address}"]


def is_locked(email: str, address: str) -> bool:
    return any((cache.get(key) or 0) >= settings.LOGIN_FAILURE_LIMIT for key in _keys(email, address))


def record_failure(email: str, address: str) -> None:
    for key in _keys(email, address):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def record_success(email: str, address: str) -> None:
    cache.delete(_keys(email, address)[0])
