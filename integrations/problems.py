"""Every refusal of the API as an RFC 9457 problem detail (``application/problem+json``), in the
caller's language, with the code of the rule that refused (the service's ``ValidationError``
code) or of the HTTP refusal."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ServiceRefusal
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

PROBLEM = "application/problem+json"


def _titles() -> dict[int, str]:
    # With the type "about:blank", the title is the HTTP status phrase (RFC 9457), in the caller's language.
    return {
        400: _("Bad request"),
        401: _("Unauthorized"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        415: _("Unsupported media type"),
        422: _("Unprocessable content"),
        429: _("Too many requests"),
    }


def problem(status_code: int, detail: str, code: str, **extra) -> Response:
    title = _titles().get(status_code) or HTTPStatus(status_code).phrase
    body = {"type": "about:blank", "title": title, "status": status_code, "detail": detail, "code": code, **extra}
    return Response(body, status=status_code, content_type=PROBLEM)


def _service_errors(error: ServiceRefusal) -> list[dict]:
    """Each refusal with its code and the argument it is about (``""`` for the request as a whole)."""
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "code": item.code or "invalid", "message": message}
            for field, items in error.error_dict.items()
            for item in items
            for message in item.messages
        ]
    return [
        {"field": "", "code": item.code or "invalid", "message": message}
        for item in error.error_list
        for message in item.messages
    ]


def _field_errors(detail, field: str = "") -> list[dict]:
    """A serializer's errors (nested dicts and lists of ``ErrorDetail``) as one flat list."""
    if isinstance(detail, dict):
        return [
            error for name, value in detail.items() for error in _field_errors(value, f"{field}.{name}".lstrip("."))
        ]
    if isinstance(detail, list):
        return [error for value in detail for error in _field_errors(value, field)]
    return [
        {
            "field": "" if field == "non_field_errors" else field,
            "code": getattr(detail, "code", "invalid"),
            "message": str(detail),
        }
    ]


def problem_details(exc, context) -> Response | None:
    """DRF's exception handler: a problem detail for every refusal it knows, None (a 500) otherwise."""
    if isinstance(exc, ServiceRefusal):
        set_rollback()
        errors = _service_errors(exc)
        return problem(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            " ".join(e["message"] for e in errors),
            errors[0]["code"],
            errors=errors,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        response = problem(
            exc.status_code,
            " ".join(f"{e['field']}: {e['message']}".lstrip(": ") for e in errors),
            "invalid",
            errors=errors,
        )
    else:
        codes = exc.get_codes()
        response = problem(exc.status_code, str(exc.detail), codes if isinstance(codes, str) else "error")
    for name, value in headers.items():
        response[name] = value
    return response
