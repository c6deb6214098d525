"""One line of plain text: what people's names and assessment places may hold.

Names and places are printed in calendar files, e-mails, certificates and spreadsheets, where a
line break starts a line (or a property) of its own, most control characters cannot be stored
at all, and the bidirectional overrides show text in another order than it is stored. Letters
of every script, accents and ordinary punctuation are all fine.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Besides the control characters (C0, DEL, C1) and lone surrogates: the line and paragraph
# separators, and the bidirectional embeddings, overrides and isolates.
_FORMATTING = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_control(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Cs") or character in _FORMATTING


def refuse_control_characters(value: str) -> None:
    """The validator of the model fields that hold one line of text typed by people."""
    if any(_is_control(character) for character in value or ""):
        raise ValidationError(
            _("Use plain text on one line: no line breaks, tabs or other control characters."),
            code="control_characters",
        )
