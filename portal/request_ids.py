"""A request id on every log line of a request and of the tasks it queues.

The web server takes the X-Request-ID a proxy sent when it is a plain token, otherwise makes one,
and answers with it. Celery carries it in a header of each task published meanwhile
(``portal.celery``), and the worker binds it while the task runs, so the lines of both carry
the same id. ``RequestIdFilter`` puts it on each log record (``request_id``, "-" outside).
"""

import logging
import re
import uuid
from contextvars import ContextVar, Token

from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
# Letters, digits and a few separators, as proxies and load balancers make them (UUIDs, hex).
SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current() -> str | None:
    return _current.get()


def bind(value: str | None) -> Token:
    return _current.set(value)


def unbind(token: Token) -> None:
    _current.reset(token)


def accepted(value: str | None) -> str:
    """The id a request is known by: the one it came with when that is a plain token, else a new one."""
    return value if value and SAFE.fullmatch(value) else uuid.uuid4().hex


class RequestIdMiddleware:
    """First of the middleware. The id stays bound until the response is closed, so that Django's
    own lines about the response ("Not Found", "Internal Server Error"), written after the
    middleware returned, carry it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = accepted(request.headers.get(HEADER))
        bind(request.request_id)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


@receiver(request_finished)
def _forget_request_id(sender, **kwargs) -> None:
    bind(None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current() or "-"
        return True
