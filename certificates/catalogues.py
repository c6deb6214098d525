"""The compiled message catalogues a document needs, checked before it is rendered.

Without a compiled catalogue (``locale/<language>/LC_MESSAGES/django.mo``, build output that
``make messages`` makes), gettext falls back without a word to the English source strings, and a
stale catalogue falls back for each string it lacks: a Dutch and French document would come
out with English labels in both columns, and be sealed and issued. So the worker renders a
document only when the catalogue of each language of its pair holds every string of its
templates (decision 0017); otherwise the version fails with an error that says what is missing.
"""

import functools
from dataclasses import dataclass

from django.template import Context
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils.translation import trans_real

# Interface strings are written in English: an English column needs no catalogue.
SOURCE_LANGUAGE = "en"
CONTEXT_SEPARATOR = "\x04"


class CatalogueMissing(Exception):
    """A language of the pair has no compiled catalogue, or one without the document's strings."""


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: bool = False
    context: str | None = None

    @property
    def key(self):
        """The message's key in a compiled catalogue, as gettext looks it up."""
        msgid = f"{self.context}{CONTEXT_SEPARATOR}{self.msgid}" if self.context else self.msgid
        return (msgid, 0) if self.plural else msgid


@functools.cache
def document_messages(template_name: str) -> frozenset[Message]:
    """Every string the template and the templates it includes translate."""
    return frozenset(_messages(get_template(template_name).template.nodelist))  # type: ignore[attr-defined]


def _messages(nodelist):
    for node in nodelist.get_nodes_by_type(TranslateNode):
        literal = node.filter_expression.var.literal
        if literal is not None and not node.noop:
            # As Django looks it up: a literal's percent signs are doubled.
            yield Message(str(literal).replace("%", "%%"), context=_context(node))
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        msgid, _variables = node.render_token_list(node.singular)
        yield Message(msgid, plural=bool(node.plural), context=_context(node))
    for node in nodelist.get_nodes_by_type(IncludeNode):
        name = node.template.resolve(Context())
        if name:  # a name known only at render time is not followed
            yield from _messages(get_template(name).template.nodelist)


def _context(node) -> str | None:
    return node.message_context.resolve(Context()) if node.message_context else None


def require_catalogues(template_name: str, languages) -> None:
    """Refuse (``CatalogueMissing``) unless each language's catalogue holds the template's strings."""
    messages = document_messages(template_name)
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        # The catalogue of the language itself: gettext's fallback to another language is no translation.
        catalogue = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        missing = sorted(message.msgid for message in messages if message.key not in catalogue)
        if len(missing) == len(messages):
            raise CatalogueMissing(
                f"No compiled message catalogue for {language!r} (django.mo in LOCALE_PATHS): "
                f"run `make messages` before starting the worker. {template_name} was not rendered."
            )
        if missing:
            raise CatalogueMissing(
                f"The compiled message catalogue for {language!r} lacks {len(missing)} of the "
                f"{len(messages)} strings of {template_name}, such as {missing[0]!r}: compile it again "
                "from the current .po file (`make messages`). The document was not rendered."
            )
