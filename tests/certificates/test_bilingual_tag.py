"""The bilingual block tag of the supplement and its typography."""

import pytest
from django.template import Context, Template, TemplateSyntaxError

from certificates.templatetags.supplement import linked_urls, typeset


def render(source: str, languages=("nl", "fr")) -> str:
    return Template("{% load i18n supplement %}" + source).render(Context({"languages": list(languages)}))


def test_the_body_is_rendered_once_per_language_in_a_column_with_its_lang():
    html = render('{% bilingual "section" %}<h2>{% translate "Explanatory note" %}</h2>{% endbilingual %}')
    assert html == (
        '<div class="row section"><div class="column" lang="nl"><h2>Toelichting</h2></div>'
        '<div class="column" lang="fr"><h2>Note explicative</h2></div></div>'
    )


def test_the_body_knows_its_language():
    assert render("{% bilingual %}{{ lang }}{% endbilingual %}", ("en", "nl")) == (
        '<div class="row"><div class="column" lang="en">en</div><div class="column" lang="nl">nl</div></div>'
    )


def test_inline_labels_join_both_languages_each_with_its_lang():
    html = render('{% bilingual inline %}{% translate "Date of issue" %}{% endbilingual %}', ("fr", "en"))
    assert html == '<span lang="fr">Date de délivrance</span> / <span lang="en">Date of issue</span>'


def test_a_wrong_argument_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        render("{% bilingual section other %}{% endbilingual %}")


def test_french_typography_binds_colons_and_percent_signs_but_not_addresses_or_tags():
    assert typeset('Titre : 3 % <a href="https://x.org">https://x.org</a>', "fr") == (
        'Titre\u00a0: 3\u00a0% <a href="https://x.org">https://x.org</a>'
    )
    assert typeset("Meer informatie: 3 %", "nl") == "Meer informatie: 3\u00a0%"
    assert typeset('<p class="a : b">x</p>', "fr") == '<p class="a : b">x</p>'


def test_web_addresses_become_links_and_text_is_escaped():
    assert linked_urls("<b> voir : https://europass.europa.eu.") == (
        '&lt;b&gt; voir : <a class="url" href="https://europass.europa.eu">https://europass.europa.eu</a>.'
    )
