"""Refusals gathered: every check of a rule run, its refusals raised together."""

from collections.abc import Callable

from django.core.exceptions import ValidationError


def refuse_all(*checks: Callable[[], object]) -> None:
    """Run every check; raise the refusals of all of them together, by the field they name, so
    that a form or an import's check lists every problem rather than the first."""
    errors: dict = {}
    for check in checks:
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
