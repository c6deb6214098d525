"""The badge image of an achievement: a qualification and the kind of proof (decision 0022).

One drawing, described once (``_drawing``) and painted twice: as SVG, whose texts stay text in
the project's own Noto Sans embedded as a subset (nothing is fetched, every viewer with web fonts
shows the same letters), and as PNG, painted by Pillow with the same font files and the same
measurements, so the two look alike on every system. The texts are in the two languages of the
document (the credential's pair); no holder is named: a badge belongs to the achievement, the
credential baked into it (``credentials/baking.py``) to the holder.
"""

import base64
import hashlib
import io
import threading
from dataclasses import dataclass
from functools import lru_cache
from math import cos, pi, sin
from pathlib import Path
from typing import cast
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from fontTools import subset
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from qualifications.api import AUTHENTIC_LANGUAGE
from qualifications.models import Proof, Qualification

SIZE = 600  # the badge is a square of SIZE pixels (SVG user units)
SUPERSAMPLING = 3  # the PNG is painted this much larger, then reduced: smooth edges
# Changed with the drawing, so that no cache serves an image of the former drawing.
DRAWING_VERSION = 1
CACHE_SECONDS = 24 * 3600

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
FONT_FILES = {False: FONT_DIR / "NotoSans-Regular.ttf", True: FONT_DIR / "NotoSans-Bold.ttf"}
FONT_FAMILY = "Badge Noto Sans"

# The kinds of proof in the public addresses of their achievements.
KIND_SLUGS: dict[str, str] = {
    Proof.CERTIFICATE: "proof-of-professional-qualification",
    Proof.PARTIAL: "proof-of-partial-qualification",
    Proof.STATEMENT: "proof-of-competencies",
}
IMAGE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@dataclass(frozen=True)
class Look:
    """What tells the kinds apart at a glance: the outline, the colours and the emblem on top."""

    outline: str  # circle, hexagon or square
    ground: str
    rim: str
    ink: str
    accent: str


LOOKS: dict[str, Look] = {
    Proof.CERTIFICATE: Look("circle", ground="#0b3a66", rim="#c99a2e", ink="#ffffff", accent="#f2c75c"),
    Proof.PARTIAL: Look("hexagon", ground="#0d5b52", rim="#7fcfbf", ink="#ffffff", accent="#b5ebe0"),
    Proof.STATEMENT: Look("square", ground="#5b2c6f", rim="#c9a3dc", ink="#ffffff", accent="#ead6f3"),
}


@dataclass(frozen=True)
class Wording:
    """The badge's texts in one language."""

    language: str
    kind: str
    title: str
    levels: str


@dataclass(frozen=True)
class Badge:
    """The badge of one achievement in one pair of languages: everything its image shows."""

    code: str
    kind: str
    wordings: tuple[Wording, Wording]

    @property
    def look(self) -> Look:
        return LOOKS[self.kind]

    @property
    def description(self) -> str:
        """The badge in words, in both its languages: the title of its image."""
        return " / ".join(self.described(wording.language) for wording in self.wordings)

    def described(self, language: str) -> str:
        """The badge in words in one of its languages: the alternative text of its image on a page."""
        wording = next(wording for wording in self.wordings if wording.language == language)
        return f"{wording.kind}: {wording.title} ({self.code}), {wording.levels}"

    def cache_key(self, extension: str) -> str:
        digest = hashlib.sha256(repr((DRAWING_VERSION, self, extension)).encode()).hexdigest()
        return f"badge-image:{digest}"


def badge_for(qualification: Qualification, kind: str, languages: tuple[str, str]) -> Badge:
    """The badge of a qualification's achievement of this kind, in these two languages."""
    wordings = []
    for language in languages:
        with translation.override(language):
            wordings.append(
                Wording(
                    language=language,
                    kind=str(Proof(kind).label),
                    title=getattr(qualification, f"title_{language}"),
                    levels=_("Flemish qualification level %(flemish)s — EQF level %(eqf)s")
                    % {"flemish": qualification.flemish_level, "eqf": qualification.eqf_level},
                )
            )
    return Badge(code=qualification.code, kind=Proof(kind).value, wordings=(wordings[0], wordings[1]))


def page_languages(language: str) -> tuple[str, str]:
    """The pair a reader of ``language`` sees an achievement's badge in, where no document sets
    one: the authentic Dutch first, then the reader's language (for a Dutch reader, the other
    language of the default pair)."""
    if language != AUTHENTIC_LANGUAGE:
        return AUTHENTIC_LANGUAGE, language
    return AUTHENTIC_LANGUAGE, next(
        code for code in (*settings.SUPPLEMENT_DEFAULT_LANGUAGES, "fr") if code != AUTHENTIC_LANGUAGE
    )


def achievement_path(code: str, kind: str) -> str:
    """The public page of a qualification's achievement of this kind."""
    return reverse("certificates:achievement", args=[code, KIND_SLUGS[kind]])


def badge_path(code: str, kind: str, languages: tuple[str, str], extension: str) -> str:
    """The public badge image of an achievement (without a credential), in a pair of languages."""
    first, second = languages
    return reverse("certificates:badge", args=[code, KIND_SLUGS[kind], first, second, extension])


def badge_image(badge: Badge, extension: str) -> bytes:
    """The badge as SVG or PNG. Drawing it costs tens of milliseconds, and anyone may ask for it
    (it is public): each image is drawn once and kept in the cache shared by all processes."""
    draw = {"svg": to_svg, "png": to_png}[extension]
    return cast(bytes, cache.get_or_set(badge.cache_key(extension), lambda: draw(badge), CACHE_SECONDS))


# --- The drawing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    radius: float
    fill: str


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    radius: float
    fill: str


@dataclass(frozen=True)
class Text:
    """One line of text, centred on ``x``, standing on the baseline ``y``."""

    text: str
    x: float
    y: float
    size: int
    bold: bool
    fill: str
    language: str


CENTRE = SIZE / 2


def _outline(look: Look, inset: float, fill: str):
    """The badge's outline of this kind, ``inset`` units inside the edge of the image."""
    if look.outline == "circle":
        return Circle(CENTRE, CENTRE, CENTRE - 4 - inset, fill)
    if look.outline == "hexagon":
        return Polygon(_hexagon(CENTRE, CENTRE, CENTRE - 2 - inset), fill)
    half = CENTRE - 10 - inset
    return Box(CENTRE - half, CENTRE - half, 2 * half, 2 * half, max(56 - inset, 8), fill)


def _frame(look: Look) -> list:
    return [
        _outline(look, 0, look.rim),
        _outline(look, 14, look.ground),
        _outline(look, 24, look.rim),
        _outline(look, 27, look.ground),
    ]


def _star(x: float, y: float, outer: float, inner: float) -> tuple[tuple[float, float], ...]:
    points = []
    for k in range(10):
        radius, angle = (outer if k % 2 == 0 else inner), -pi / 2 + k * pi / 5
        points.append((round(x + radius * cos(angle), 2), round(y + radius * sin(angle), 2)))
    return tuple(points)


def _hexagon(x: float, y: float, radius: float) -> tuple[tuple[float, float], ...]:
    """A hexagon with a point at the top and one at the bottom."""
    return tuple(
        (round(x + radius * cos(pi / 6 + k * pi / 3), 2), round(y + radius * sin(pi / 6 + k * pi / 3), 2))
        for k in range(6)
    )


EMBLEM_Y = 122


def _emblem(look: Look, kind: str) -> list:
    """The mark above the texts: a star for the whole qualification, three cells of a honeycomb
    for partial qualifications, a tick for competencies."""
    if kind == Proof.CERTIFICATE:
        return [Polygon(_star(CENTRE, EMBLEM_Y, 30, 12.5), look.accent)]
    if kind == Proof.PARTIAL:
        return [
            Polygon(_hexagon(CENTRE + dx, EMBLEM_Y + dy, 12), look.accent)
            for dx, dy in ((-11.5, 9), (11.5, 9), (0, -11))
        ]
    tick = ((-24, 0), (-15, -9), (-6, 1), (17, -22), (26, -13), (-6, 19))
    return [Polygon(tuple((CENTRE + dx, EMBLEM_Y + 2 + dy) for dx, dy in tick), look.accent)]


# The fonts below are shared; one drawing at a time uses them (drawing is rare: images are cached).
_DRAWING = threading.Lock()


@lru_cache(maxsize=64)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    # The basic layout, not Raqm's: it is the same on every system Pillow runs on.
    return ImageFont.truetype(str(FONT_FILES[bold]), size, layout_engine=ImageFont.Layout.BASIC)


def _width(text: str, bold: bool, size: int) -> float:
    return _font(bold, size).getlength(text)


def _wrapped(text: str, bold: bool, size: int, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _width(f"{lines[-1]} {word}", bold, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fitted(text: str, bold: bool, sizes: tuple[int, int], width: float, max_lines: int) -> tuple[int, list[str]]:
    """The size and lines at which the text fits the width: on one line if it can be at no less
    than three quarters of the largest size, else in as few lines as fit at the largest size
    possible; at the smallest size, what does not fit in ``max_lines`` ends in an ellipsis."""
    largest, smallest = sizes
    for lines_allowed, floor in ((1, max(smallest, round(largest * 0.75))), (max_lines, smallest)):
        for size in range(largest, floor - 1, -1):
            lines = _wrapped(text, bold, size, width)
            if len(lines) <= lines_allowed and all(_width(line, bold, size) <= width for line in lines):
                return size, lines
    lines = _wrapped(text, bold, smallest, width)[:max_lines]
    while lines[-1] and _width(lines[-1] + "…", bold, smallest) > width:
        lines[-1] = lines[-1][:-1]
    lines[-1] += "…"
    return smallest, lines


def _texts(badge: Badge) -> list:
    look, (first, second) = badge.look, badge.wordings
    shapes: list = []
    # The kind of proof, in both languages, under the emblem.
    for wording, bold, y, largest in ((first, True, 190, 22), (second, False, 216, 19)):
        size, lines = _fitted(wording.kind, bold, (largest, 11), 380, 1)
        shapes.append(Text(lines[0], CENTRE, y, size, bold, look.accent, wording.language))
    shapes.append(Box(CENTRE - 60, 234, 120, 2.5, 1, look.rim))
    shapes += _titles(badge)
    # The levels, where every outline is still wide; the code below them, on a tab of its own.
    for wording, y in ((first, 382), (second, 404)):
        size, lines = _fitted(wording.levels, False, (16, 10), 400, 1)
        shapes.append(Text(lines[0], CENTRE, y, size, False, look.ink, wording.language))
    code_width = _width(badge.code, True, 24) + 44
    shapes.append(Box(CENTRE - code_width / 2, 424, code_width, 40, 20, look.accent))
    shapes.append(Text(badge.code, CENTRE, 453, 24, True, look.ground, first.language))
    return shapes


# Every line of text lies within 130 units above or below the centre, where each outline is at
# least 460 units wide: the widths the texts are fitted to leave room for the rim.
TITLE_TOP, TITLE_BOTTOM = 246, 356
LINE_HEIGHT, TITLE_GAP = 1.18, 6


def _titles(badge: Badge) -> list[Text]:
    """The qualification's title in both languages (once where they are the same), centred in its
    band; where both need two lines, both are made smaller until they fit it together."""
    first, second = badge.wordings
    blocks = [(first, True, (38, 20))]
    if second.title.casefold() != first.title.casefold():
        blocks.append((second, False, (28, 15)))
    max_lines = 2 if len(blocks) == 2 else 3
    for scale in (1, 0.9, 0.8, 0.7, 0.6, 0.5):
        fitted = [
            (
                wording,
                bold,
                *_fitted(wording.title, bold, (max(round(largest * scale), smallest), smallest), 400, max_lines),
            )
            for wording, bold, (largest, smallest) in blocks
        ]
        height = sum(len(lines) * size * LINE_HEIGHT for *_block, size, lines in fitted) + TITLE_GAP * (len(fitted) - 1)
        if height <= TITLE_BOTTOM - TITLE_TOP:
            break
    y = (TITLE_TOP + TITLE_BOTTOM - height) / 2
    texts = []
    for wording, bold, size, lines in fitted:
        for line in lines:
            y += size * LINE_HEIGHT
            texts.append(Text(line, CENTRE, round(y - size * 0.3, 1), size, bold, badge.look.ink, wording.language))
        y += TITLE_GAP
    return texts


def _drawing(badge: Badge) -> list:
    return [*_frame(badge.look), *_emblem(badge.look, badge.kind), *_texts(badge)]


# --- As SVG ---------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _font_face(bold: bool, characters: str) -> str:
    """An ``@font-face`` rule with Noto Sans cut down to these characters (a few kilobytes)."""
    font = TTFont(FONT_FILES[bold], recalcTimestamp=False)  # the same bytes on every drawing
    options = subset.Options()
    options.flavor, options.hinting, options.desubroutinize = "woff", False, True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    data = io.BytesIO()
    font.flavor = "woff"
    font.save(data)
    encoded = base64.b64encode(data.getvalue()).decode()
    weight = 700 if bold else 400
    return (
        f'@font-face{{font-family:"{FONT_FAMILY}";font-weight:{weight};'
        f'src:url(data:font/woff;base64,{encoded}) format("woff")}}'
    )


def _svg_shape(shape) -> str:
    if isinstance(shape, Circle):
        return f'<circle cx="{shape.x:g}" cy="{shape.y:g}" r="{shape.radius:g}" fill="{shape.fill}"/>'
    if isinstance(shape, Polygon):
        points = " ".join(f"{x:g},{y:g}" for x, y in shape.points)
        return f'<polygon points="{points}" fill="{shape.fill}"/>'
    if isinstance(shape, Box):
        return (
            f'<rect x="{shape.x:g}" y="{shape.y:g}" width="{shape.width:g}" height="{shape.height:g}" '
            f'rx="{shape.radius:g}" fill="{shape.fill}"/>'
        )
    weight = "700" if shape.bold else "400"
    return (
        f'<text x="{shape.x:g}" y="{shape.y:g}" font-size="{shape.size}" font-weight="{weight}" '
        f'fill="{shape.fill}" xml:lang="{shape.language}">{escape(shape.text)}</text>'
    )


def to_svg(badge: Badge) -> bytes:
    with _DRAWING:
        drawing = _drawing(badge)
    texts = [shape for shape in drawing if isinstance(shape, Text)]
    faces = "".join(
        _font_face(bold, "".join(sorted({c for t in texts if t.bold == bold for c in t.text} | {" "})))
        for bold in (False, True)
    )
    body = "\n".join(_svg_shape(shape) for shape in drawing if not isinstance(shape, Text))
    lines = "\n".join(_svg_shape(shape) for shape in texts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-labelledby="badge-title">\n'
        f'<title id="badge-title">{escape(badge.description)}</title>\n'
        f"<style>{faces}</style>\n"
        f"{body}\n"
        f'<g font-family={quoteattr(FONT_FAMILY + ", Noto Sans, sans-serif")} text-anchor="middle">\n'
        f"{lines}\n</g>\n</svg>\n"
    ).encode()


# --- As PNG ---------------------------------------------------------------------------------


def _paint(draw: ImageDraw.ImageDraw, shape) -> None:
    s = SUPERSAMPLING
    if isinstance(shape, Circle):
        box = [(shape.x - shape.radius) * s, (shape.y - shape.radius) * s]
        draw.ellipse([*box, (shape.x + shape.radius) * s, (shape.y + shape.radius) * s], fill=shape.fill)
    elif isinstance(shape, Polygon):
        draw.polygon([(x * s, y * s) for x, y in shape.points], fill=shape.fill)
    elif isinstance(shape, Box):
        corners = [shape.x * s, shape.y * s, (shape.x + shape.width) * s, (shape.y + shape.height) * s]
        draw.rounded_rectangle(corners, radius=shape.radius * s, fill=shape.fill)
    else:
        font = _font(shape.bold, shape.size * s)
        draw.text((shape.x * s, shape.y * s), shape.text, font=font, fill=shape.fill, anchor="ms")


def to_png(badge: Badge) -> bytes:
    image = Image.new("RGBA", (SIZE * SUPERSAMPLING, SIZE * SUPERSAMPLING), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    with _DRAWING:
        for shape in _drawing(badge):
            _paint(draw, shape)
    output = io.BytesIO()
    image.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(output, format="PNG")
    return output.getvalue()
