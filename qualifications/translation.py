"""Texts of the standard are stored once per language: ``text_fr`` (source), ``text_nl``, ``text_en``.

``Translated`` reads the one for the active language, so templates can write ``{{ competency.text }}``
and ``{% language "fr" %}`` switches it, which is how the bilingual supplement gets both columns.
"""

from django.conf import settings
from django.db import models
from django.utils import translation

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# The decree was adopted in Dutch: its Dutch text is the authentic one (docs/decisions/0002).
AUTHENTIC_LANGUAGE = "nl"


def active_language() -> str:
    code = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


class Translated:
    """Descriptor returning ``<name>_<active language>``."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: models.Model | None, owner: type | None = None):
        if instance is None:
            return self
        return getattr(instance, f"{self.name}_{active_language()}")


def translated_field_names(name: str) -> list[str]:
    return [f"{name}_{code}" for code in LANGUAGE_CODES]
