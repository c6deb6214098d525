"""The codes that stored texts hold (an audit summary, a notification's detail), read as words.

Such texts are written once and read in any language, so the services store codes: a
decision's status, an objection's outcome, a role. They are shown in the reader's language;
names and numbers stay as written.
"""

from django.utils.translation import gettext_lazy as _

CODE_WORDS = {
    "certified": _("certified"),
    "not_certified": _("not certified"),
    "upheld": _("upheld"),
    "rejected": _("rejected"),
    "candidate": _("candidate"),
    "assessor": _("assessor"),
    "administrator": _("administrator"),
    "retry": _("retry"),
}


def shown_codes(text: str) -> str:
    return " ".join(str(CODE_WORDS.get(word, word)) for word in text.split(" "))
