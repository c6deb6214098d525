"""The public page of an achievement and its public badge images (decision 0022)."""

import io
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from PIL import Image

from certificates import badges
from certificates.models import Certificate

from .badge_helpers import PAGE, svg_texts

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta, self.images = {}, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and "property" in attributes:
            self.meta[attributes["property"]] = attributes["content"]
        if tag == "img":
            self.images.append(attributes["src"])


def read_page(client, url: str, language: str = "en") -> tuple[Head, str]:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    head = Head()
    head.feed(html)
    return head, html


def test_the_achievement_page_has_open_graph_tags_with_absolute_addresses(client, qualification, settings):
    head, _html = read_page(client, PAGE)
    meta = head.meta
    assert meta["og:type"] == "website"
    assert meta["og:url"] == f"{settings.PORTAL_BASE_URL}{PAGE}"
    assert meta["og:title"] == "Proof of professional qualification: Contact Center operator (0213)"
    assert meta["og:description"].startswith(qualification.definition_en[:100])
    assert meta["og:image"] == f"{settings.PORTAL_BASE_URL}{PAGE}badge-nl-en.png"
    assert (meta["og:image:width"], meta["og:image:height"], meta["og:image:type"]) == ("600", "600", "image/png")
    image = client.get(urlsplit(meta["og:image"]).path)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (600, 600)


@pytest.mark.parametrize(
    ("language", "pair", "locale", "criteria"),
    [
        ("fr", "nl-fr", "fr_BE", "Décerné à qui prouve toutes les compétences de la qualification professionnelle"),
        ("nl", "nl-en", "nl_BE", "Toegekend aan wie elke competentie van de beroepskwalificatie bewijst"),
    ],
)
def test_the_achievement_page_speaks_the_visitors_language(client, qualification, language, pair, locale, criteria):
    head, html = read_page(client, PAGE, language)
    assert head.meta["og:locale"] == locale
    with translation.override(language):
        assert head.meta["og:image:alt"].startswith(f"{Certificate.Kind.CERTIFICATE.label}: {qualification.title}")
    assert head.meta["og:image"].endswith(f"badge-{pair}.png")
    assert f"{PAGE}badge-{pair}.svg" in head.images
    assert getattr(qualification, f"definition_{language}")[:80] in html
    assert criteria in html


def test_the_achievement_page_names_no_holder(client, proof):
    candidate = proof.assessment.candidate
    for url in (PAGE, f"{PAGE}badge-nl-fr.svg"):
        content = client.get(url).content.decode()
        for personal in (candidate.email, candidate.last_name, proof.holder_name, proof.number):
            assert personal not in content, (url, personal)


def test_each_kind_has_its_page_with_its_criteria(client, qualification_with_partials):
    base = "/achievements/9213"
    _head, partial = read_page(client, f"{base}/proof-of-partial-qualification/")
    assert "Inbound contacts (9213-D1)" in partial and "it is not a proof of professional qualification" in partial
    _head, statement = read_page(client, f"{base}/proof-of-competencies/")
    assert "neither all of them nor every competency of a partial qualification" in statement


@pytest.mark.parametrize(
    "url",
    [
        "/achievements/0213/proof/",  # the model's name of the kind is not its address
        "/achievements/0213/proof-of-partial-qualification/",  # 0213 defines no partial qualification
        "/achievements/9999/proof-of-competencies/",
        f"{PAGE}badge-nl-nl.png",
        f"{PAGE}badge-nl-de.svg",
        "/achievements/0213/proof-of-partial-qualification/badge-nl-fr.png",
    ],
)
def test_an_achievement_that_is_not_awarded_has_no_page_and_no_badge(client, qualification, url):
    assert client.get(url).status_code == 404


def test_the_public_images_may_be_kept_and_the_svg_may_use_only_itself(client, qualification):
    svg = client.get(f"{PAGE}badge-nl-fr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert "public" in svg["Cache-Control"] and "max-age=86400" in svg["Cache-Control"]
    policy = svg["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "font-src data:" in policy
    assert svg_texts(svg.content)["fr"][0] == "Preuve de qualification professionnelle"
    png = client.get(f"{PAGE}badge-fr-en.png")
    assert "public" in png["Cache-Control"] and png["Content-Type"] == "image/png"


def test_an_image_is_drawn_once_and_then_served_from_the_cache(client, qualification, monkeypatch):
    drawn = []
    monkeypatch.setattr(badges, "to_png", lambda badge: drawn.append(badge) or b"png")
    for _time in range(3):
        client.get(f"{PAGE}badge-nl-fr.png")
    assert len(drawn) == 1
    qualification.title_fr = "Opérateur Contact Center (nouveau titre)"
    qualification.save()
    client.get(f"{PAGE}badge-nl-fr.png")
    assert len(drawn) == 2  # a changed text is a new image
