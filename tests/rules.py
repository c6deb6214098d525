"""Which rule of a service said no: the code of its ``ValidationError`` and the field it is about."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def error_codes(error: ValidationError) -> dict[str, set[str | None]]:
    """The codes of an error by field; an error about no field is under ``NON_FIELD_ERRORS``."""
    if hasattr(error, "error_dict"):
        return {name: {e.code for e in errors} for name, errors in error.error_dict.items()}
    return {NON_FIELD_ERRORS: {e.code for e in error.error_list}}


@contextmanager
def breaks_rule(code: str, field: str = NON_FIELD_ERRORS):
    """The block must be refused by the rule with this code (on this field)."""
    with pytest.raises(ValidationError) as caught:
        yield caught
    codes = error_codes(caught.value)
    assert code in codes.get(field, set()), f"expected {code!r} on {field!r}, got {codes}"
