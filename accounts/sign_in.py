"""Sign-in throttling and password-reset limits, on django-axes and django-ratelimit.

django-axes counts failures per account and client address in the database (every process and
the Django admin share the counts) and locks that pair out for a while. This module adds what
axes leaves to the project: one spelling of the account name, one attempt at a time per account
(so simultaneous guesses cannot all pass a lock that none has counted yet), counting wrong
old passwords on the password change form like failed sign-ins, and a limit on one client
address failing across many accounts (password spraying). See docs/decisions/0010.
"""

import ipaddress
from collections.abc import Callable
from typing import TypeVar

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext
from django_ratelimit.core import get_usage, is_ratelimited

from .models import User, normalise_email

T = TypeVar("T")


def username_of(request, credentials: dict | None) -> str:
    """The account axes counts for (AXES_USERNAME_CALLABLE): the address typed, normalised as the
    account's own is, so every spelling that signs in to an account counts for that account.

    Depending on the caller the credentials carry the name under "username" or under the model's
    USERNAME_FIELD ("email"); only without either is the form field read, as typed.
    """
    credentials = credentials or {}
    typed = (
        credentials.get("username")
        or credentials.get(User.USERNAME_FIELD)
        or getattr(request, "POST", {}).get("username")
    )
    return normalise_email(typed)


def client_address(request) -> str:
    """The client's address (AXES_CLIENT_IP_CALLABLE; the limits per client count its network).

    REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front of the portal, each appending
    the address it saw to X-Forwarded-For: then the entry the first of them wrote, counted from
    the right. Whatever the client wrote itself sits further left and is ignored.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies:
        try:
            return str(ipaddress.ip_address(forwarded[-proxies]))
        except ValueError:
            pass  # not an address: a proxy that is not configured as we were told
    return request.META.get("REMOTE_ADDR", "")


def client_network(request) -> str:
    """What the limits per client count (failed sign-ins across accounts, reset requests, the
    verifier's checks): the client address, or for IPv6 its /64 network, since one subscriber
    gets a whole /64 and could otherwise take a fresh address, and a fresh budget, per attempt.
    The lock of one account stays on the exact address, so no neighbour locks a person out."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return address
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def one_attempt_at_a_time(request, email: str, check: Callable[[], T]) -> T:
    """Run ``check`` (read the lock, check the password, count a failure) holding the account's row.

    Simultaneous attempts for one account queue here, so at most the failure limit of passwords
    is ever checked. (SQLite's IMMEDIATE transactions take the write lock at BEGIN: same effect.)
    The refusal is raised after the commit, so the failure it counted is kept. A client address
    past its limit of failures across accounts checks no password at all.
    """
    if client_is_locked_out(request, email):
        raise ValidationError(lockout_message(), code="locked")
    with transaction.atomic():
        list(User.objects.by_email(email).select_for_update().values_list("pk"))
        try:
            return check()
        except ValidationError as error:
            refusal = error
    raise refusal


def is_locked_out(request, email: str) -> bool:
    """True, and the request marked for axes' lock-out page, when this account and address wait."""
    credentials = {"username": email}
    if AxesProxyHandler.is_allowed(request, credentials):
        return False
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return True


def lockout_period_minutes() -> int:
    return max(int(settings.AXES_COOLOFF_TIME.total_seconds() // 60), 1)


def lockout_message() -> str:
    return gettext("Too many failed attempts. Wait %(minutes)s minutes and try again.") % {
        "minutes": lockout_period_minutes()
    }


def _client_failures(request, *, increment: bool) -> dict | None:
    """django-ratelimit's count of failed sign-ins from this client address, whatever the account,
    in windows as long as the lock-out (so the lock-out page's "wait N minutes" holds)."""
    return get_usage(
        request,
        group="sign-in-failures-client",
        key=lambda _group, request: client_network(request),
        rate=f"{settings.SIGN_IN_CLIENT_FAILURE_LIMIT}/{lockout_period_minutes()}m",
        increment=increment,
    )


def client_is_locked_out(request, email: str) -> bool:
    """True, and the request marked for axes' lock-out page, when this client address failed
    SIGN_IN_CLIENT_FAILURE_LIMIT sign-ins across accounts. Only this address waits: the person
    signs in from anywhere else as before."""
    usage = _client_failures(request, increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return False
    request.axes_locked_out = True
    request.axes_credentials = {"username": email}
    return True


@receiver(user_login_failed, dispatch_uid="accounts.sign_in.count_client_failure")
def count_client_failure(sender, credentials, request=None, **kwargs) -> None:
    """Every failed sign-in or wrong old password counts for the client address too."""
    if request is not None:
        _client_failures(request, increment=True)


def count_failure(request, email: str) -> None:
    """A wrong password that did not go through authenticate(): count it like a failed sign-in."""
    user_login_failed.send(sender=__name__, credentials={"username": email}, request=request)


def password_reset_allowed(request, email: str) -> bool:
    """Count one reset request for the address and for the client; False past either limit."""
    address = normalise_email(email)
    over_address = is_ratelimited(
        request,
        group="password-reset-address",
        key=lambda _group, _request: address,
        rate=settings.PASSWORD_RESET_EMAILS_PER_ADDRESS,
        increment=True,
    )
    over_client = is_ratelimited(
        request,
        group="password-reset-client",
        key=lambda _group, request: client_network(request),
        rate=settings.PASSWORD_RESET_REQUESTS_PER_CLIENT,
        increment=True,
    )
    return not (over_address or over_client)


def password_allowed(user: User) -> bool:
    """Whether this account may sign in (or reset) with a password: everyone while the centre keeps
    passwords on (PORTAL_PASSWORD_SIGN_IN); with passwords off, superusers only, on the Django
    admin's sign-in page, so the centre keeps a way in when the provider is down (docs/decisions/0034)."""
    return settings.PORTAL_PASSWORD_SIGN_IN or user.is_superuser
