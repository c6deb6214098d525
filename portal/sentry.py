"""Errors of the web processes and the worker reported to Sentry when SENTRY_DSN is set, without
personal data.

The SDK is told not to send any (``send_default_pii=False``: no user, no cookies, no client
address), no request bodies and no local variables; ``scrub`` then removes what could still carry
some: request data, cookies and headers but a few harmless ones, and every e-mail address and date
(a date of birth looks like any other date) in any text of the event, exception messages and
breadcrumbs included. Each event is tagged with the request id of its log lines.
"""

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from . import request_ids

EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+")
DATE = re.compile(r"\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b")
KEPT_HEADERS = {"user-agent", "content-type", "content-length", "accept-language", "x-request-id", "host"}


def _scrubbed(value):
    if isinstance(value, str):
        return DATE.sub("[date]", EMAIL.sub("[e-mail]", value))
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def scrub(event: Any, hint: Any = None) -> Any:
    """``before_send``: the event without personal data."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS}
    event.pop("user", None)
    request_id = request_ids.current()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return _scrubbed(event)


def init(dsn: str, *, environment: str, transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_send_transaction=scrub,
        transport=transport,
    )
