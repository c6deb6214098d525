"""Template tags of the bilingual certificate supplement.

``{% bilingual %}…{% endbilingual %}`` renders its body once per language of the supplement's pair
(``languages`` in the context), each time with that language active, so ``{% translate %}`` and
the ``.text`` of a qualification text give that language. Each rendering is wrapped in an
element carrying its own ``lang`` attribute, which the renderer turns into the language of that
part of the tagged PDF.

- ``{% bilingual %}``: a row of two columns (``<div class="row"><div class="column" lang=…>``),
  optionally with extra classes: ``{% bilingual "section" %}``.
- ``{% bilingual inline %}``: the renderings side by side in one line, ``<span lang=…>`` joined by
  " / ", for labels such as "Nummer van het bewijs / Number of the proof".
"""

import re

from django import template
from django.utils import translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TAG = re.compile(r"(<[^>]*>)")
NO_BREAK_SPACE = "\u00a0"
URL = re.compile(r"https?://[^\s<]+[^\s<.,;:)]")
# A Belgian or other postcode before the town: "1030 Brussel", "B-1030 Brussel", "75001 Paris".
POSTCODE = re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,5}\s+")


def typeset(text: str, language: str) -> str:
    """French and Dutch typography on the text between tags: "3 %" and the French " :" never break."""
    parts = TAG.split(text)
    for index in range(0, len(parts), 2):  # even items are text, odd items are tags
        part = re.sub(r"(\d) %", rf"\1{NO_BREAK_SPACE}%", parts[index])
        if language == "fr":
            part = re.sub(r" ([:;!?»])", rf"{NO_BREAK_SPACE}\1", part)
            part = part.replace("« ", f"«{NO_BREAK_SPACE}")
        parts[index] = part
    return "".join(parts)


class BilingualNode(template.Node):
    def __init__(self, nodelist, inline: bool, classes):
        self.nodelist, self.inline, self.classes = nodelist, inline, classes

    def _renderings(self, context) -> list[tuple[str, SafeString]]:
        renderings = []
        for language in context["languages"]:
            with translation.override(language), context.push(lang=language):
                body = self.nodelist.render(context).strip()
            renderings.append((language, mark_safe(typeset(body, language))))
        return renderings

    def render(self, context) -> str:
        renderings = self._renderings(context)
        if self.inline:
            return format_html_join(" / ", '<span lang="{}">{}</span>', renderings)
        classes = " ".join(["row", self.classes.resolve(context) if self.classes else ""]).strip()
        columns = format_html_join("", '<div class="column" lang="{}">{}</div>', renderings)
        return format_html('<div class="{}">{}</div>', classes, columns)


@register.tag
def bilingual(parser, token):
    bits = token.split_contents()[1:]
    inline = bits == ["inline"]
    if len(bits) > 1 or (bits and not inline and bits[0][0] not in "\"'"):
        raise template.TemplateSyntaxError('Use {% bilingual %}, {% bilingual "classes" %} or {% bilingual inline %}.')
    classes = parser.compile_filter(bits[0]) if bits and not inline else None
    nodelist = parser.parse(("endbilingual",))
    parser.delete_first_token()
    return BilingualNode(nodelist, inline, classes)


@register.filter
def linked_urls(text) -> SafeString:
    """Escape a text and make each web address in it a link that never breaks inside."""
    escaped = escape(text)
    return mark_safe(URL.sub(lambda m: f'<a class="url" href="{m.group(0)}">{m.group(0)}</a>', escaped))


@register.filter
def place_of_issue(centre) -> str:
    """The town of the issuing centre: its address's last line with a postcode, without the postcode."""
    lines = centre.address_lines
    town = next((line for line in reversed(lines) if POSTCODE.match(line)), lines[-1] if lines else "")
    return POSTCODE.sub("", town)
