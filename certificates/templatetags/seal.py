from django import template
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from ..sealing import configured_seal

register = template.Library()


@register.simple_tag
def test_seal_notice(languages) -> str:
    """On a supplement sealed with a development (TEST) seal, say so in both of its languages."""
    seal = configured_seal()
    if seal is None or not seal.is_test_seal:
        return ""
    texts = []
    for language in languages:
        with translation.override(language):
            texts.append(
                (language, _("TEST SEAL: this document was sealed with a development seal and proves nothing."))
            )
    return format_html(
        '<p class="issuance-note test-seal"><strong>{}</strong></p>',
        format_html_join(" ", '<span lang="{}">{}</span>', texts),
    )
