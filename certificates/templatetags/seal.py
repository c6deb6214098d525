from django import template

from ..sealing import Seal
from ..sealing import configured_seal as configured

register = template.Library()


@register.simple_tag
def configured_seal() -> Seal | None:
    """The seal the document is about to be sealed with: ``{% configured_seal as seal %}``."""
    return configured()
