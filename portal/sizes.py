"""`{% load sizes %}{{ bytes|file_size }}`: a file's size in the units each language uses.

Django's `filesizeformat` takes its units from Django's catalogues, whose French says "Kio" and
"Mio"; French readers know "Ko" and "Mo" (decision 0009). One decimal at most, none when whole.
"""

from django import template
from django.utils import formats
from django.utils.html import avoid_wrapping
from django.utils.translation import gettext_lazy, ngettext

register = template.Library()

UNITS = (
    (1024**3, gettext_lazy("%(size)s GB")),
    (1024**2, gettext_lazy("%(size)s MB")),
    (1024, gettext_lazy("%(size)s KB")),
)


def _number(value: float) -> str:
    rounded = round(value, 1)
    return formats.number_format(int(rounded) if rounded == int(rounded) else rounded)


@register.filter
def file_size(value) -> str:
    size = int(value or 0)
    for factor, unit in UNITS:
        if size >= factor:
            return avoid_wrapping(str(unit) % {"size": _number(size / factor)})
    return avoid_wrapping(ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size})
