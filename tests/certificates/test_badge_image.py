"""The badge image of an achievement: its texts, its look per kind, its two formats (decision 0022)."""

import io
import struct
from xml.etree import ElementTree

import pytest
from PIL import Image

from certificates import badges
from certificates.models import Certificate

from .badge_helpers import SVG, svg_texts

pytestmark = pytest.mark.django_db


def test_the_badge_says_kind_title_code_and_levels_in_both_languages_of_the_document(qualification):
    svg = badges.to_svg(badges.badge_for(qualification, Certificate.Kind.CERTIFICATE, ("nl", "fr")))
    texts = svg_texts(svg)
    assert texts["nl"] == [
        "Bewijs van beroepskwalificatie",
        "Contactcenteroperator",
        "Vlaams kwalificatieniveau 3 — EQF-niveau 3",
        "0213",
    ]
    assert texts["fr"] == [
        "Preuve de qualification professionnelle",
        "Opérateur Contact Center",
        "Niveau de qualification flamand 3 — niveau CEC 3",
    ]
    root = ElementTree.fromstring(svg)
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("600", "600", "0 0 600 600")
    assert root.find(f"{SVG}title").text.startswith("Bewijs van beroepskwalificatie: Contactcenteroperator (0213)")


def test_the_badge_fetches_nothing_and_carries_its_own_font(qualification):
    svg = badges.to_svg(badges.badge_for(qualification, Certificate.Kind.STATEMENT, ("fr", "en"))).decode()
    assert "href" not in svg and "http" not in svg.replace("http://www.w3.org/", "")
    style = ElementTree.fromstring(svg).find(f"{SVG}style").text
    assert style.count("@font-face") == 2 and style.count("url(data:font/woff;base64,") == 2
    assert '"Badge Noto Sans"' in style and "font-family" in svg


def test_each_kind_of_proof_has_its_own_look(qualification_with_partials):
    kinds = [Certificate.Kind.CERTIFICATE, Certificate.Kind.PARTIAL, Certificate.Kind.STATEMENT]
    drawn = {kind: badges.to_svg(badges.badge_for(qualification_with_partials, kind, ("nl", "en"))) for kind in kinds}
    outlines = {kind: ElementTree.fromstring(svg)[2].tag.removeprefix(SVG) for kind, svg in drawn.items()}
    assert outlines == {"certificate": "circle", "partial": "polygon", "statement": "rect"}
    grounds = {kind: ElementTree.fromstring(svg)[3].get("fill") for kind, svg in drawn.items()}
    assert len(set(grounds.values())) == 3
    pixels = {
        kind: Image.open(io.BytesIO(badges.to_png(badges.badge_for(qualification_with_partials, kind, ("nl", "en")))))
        .convert("RGBA")
        .getpixel((300, 560))
        for kind in kinds
    }
    assert len(set(pixels.values())) == 3, pixels


def test_the_png_is_a_valid_png_of_the_stated_size_with_the_same_texts_painted(qualification):
    png = badges.to_png(badges.badge_for(qualification, Certificate.Kind.CERTIFICATE, ("nl", "fr")))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png[12:16] == b"IHDR" and struct.unpack(">II", png[16:24]) == (badges.SIZE, badges.SIZE)
    image = Image.open(io.BytesIO(png))
    image.verify()
    image = Image.open(io.BytesIO(png))
    assert image.size == (600, 600) and image.mode == "RGBA"
    assert image.getpixel((2, 2))[3] == 0  # outside the circle: transparent
    assert image.getpixel((300, 300))[3] == 255


def test_a_long_title_is_wrapped_and_made_smaller_but_never_wider_than_its_band(qualification):
    qualification.title_nl = "Medewerker klantencontact en klachtenbehandeling in een meertalig contactcenter " * 2
    qualification.title_fr = "Opérateur"
    badge = badges.badge_for(qualification, Certificate.Kind.CERTIFICATE, ("nl", "fr"))
    others = {badge.code, badge.wordings[0].kind, badge.wordings[0].levels}
    titles = [
        shape
        for shape in badges._drawing(badge)
        if isinstance(shape, badges.Text) and shape.language == "nl" and shape.text not in others
    ]
    assert len(titles) == 2 and titles[0].size < 38  # two lines (two languages share the band), smaller
    assert all(badges._width(text.text, True, text.size) <= 400 for text in titles)
    assert titles[-1].text.endswith("…")
    assert all(badges.TITLE_TOP <= text.y <= badges.TITLE_BOTTOM for text in titles)


def inside(outline, x: float, y: float) -> bool:
    """Whether a point lies inside the inner outline of a badge (circle, hexagon or rounded square)."""
    if isinstance(outline, badges.Circle):
        return (x - outline.x) ** 2 + (y - outline.y) ** 2 <= outline.radius**2
    if isinstance(outline, badges.Polygon):
        points = outline.points
        crossings = 0
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
        return crossings % 2 == 1
    return outline.x <= x <= outline.x + outline.width and outline.y <= y <= outline.y + outline.height


@pytest.mark.parametrize("kind", ["certificate", "partial", "statement"])
def test_every_line_of_text_stays_inside_the_outline_of_its_kind(qualification_with_partials, kind):
    qualification_with_partials.title_nl = (
        "Medewerker klantencontact en klachtenbehandeling in een meertalig contactcenter"
    )
    qualification_with_partials.title_fr = (
        "Collaborateur contact clients et traitement des plaintes en centre multilingue"
    )
    for pair in (("nl", "fr"), ("fr", "en"), ("nl", "en")):
        drawing = badges._drawing(badges.badge_for(qualification_with_partials, kind, pair))
        outline = drawing[3]  # the ground inside the inner rim
        for text in (shape for shape in drawing if isinstance(shape, badges.Text)):
            half = badges._width(text.text, text.bold, text.size) / 2 + 8
            for x in (text.x - half, text.x + half):
                for y in (text.y - text.size * 0.75, text.y + text.size * 0.25):
                    assert inside(outline, x, y), (kind, pair, text.text)
