"""The print details of every document: the seal notice, the statement's issuer block, pages,
metadata after sealing, long names, names in other scripts, heading levels (decision 0017).

The documents are rendered once for the module (as issued: credential embedded, sealed with the
test settings' development seal) and only read by the tests.
"""

import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from django.conf import settings
from django.utils import formats, translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from certificates import rendering

from .conftest import render_once
from .test_supplement_document import body_lines

pytestmark = pytest.mark.django_db

FONTS = Path(settings.BASE_DIR) / "static" / "fonts"
# The PostScript-style names WeasyPrint gives the fonts of static/fonts (after the subset tag).
PORTAL_FONTS = {
    "Noto-Sans",
    "Noto-Sans-Bold",
    "Noto-Sans-Italic",
    "Noto-Sans-Arabic",
    "Noto-Sans-Arabic-Bold",
    "Noto-Sans-SC",
}
ARABIC = ("محمد", "عبد الرحمن")
CHINESE = ("伟", "王")
GREEK = ("Γιώργος", "Παπαδόπουλος")
CYRILLIC = ("Анна", "Кузнецова")
LONG_NAME = "W" * 150
# A4 in points, and the page's left and right margins (15 mm).
PAGE_WIDTH, MARGIN = 595.28, 15 * 72 / 25.4
MIN_LINES_PER_PAGE = 8

LATIN_DOCUMENTS = {
    "supplement-nl-fr": {"kind": "supplement", "languages": ("nl", "fr")},
    "supplement-nl-en": {"kind": "supplement", "languages": ("nl", "en")},
    "statement-nl-fr": {"kind": "statement", "languages": ("nl", "fr")},
    "statement-nl-en": {"kind": "statement", "languages": ("nl", "en")},
    "proof-nl-fr": {"kind": "proof", "languages": ("nl", "fr")},
    "proof-nl-en": {"kind": "proof", "languages": ("nl", "en")},
    "partial-nl-fr": {"kind": "partial", "languages": ("nl", "fr")},
    "partial-fr-en": {"kind": "partial", "languages": ("fr", "en")},
}
OTHER_DOCUMENTS = {
    "supplement-arabic": {"kind": "supplement", "languages": ("nl", "en"), "name": ARABIC},
    "statement-arabic": {"kind": "statement", "languages": ("nl", "fr"), "name": ARABIC},
    "supplement-chinese": {"kind": "supplement", "languages": ("nl", "fr"), "name": CHINESE},
    "statement-chinese": {"kind": "statement", "languages": ("nl", "en"), "name": CHINESE},
    "statement-greek": {"kind": "statement", "languages": ("nl", "en"), "name": GREEK},
    "supplement-cyrillic": {"kind": "supplement", "languages": ("nl", "fr"), "name": CYRILLIC},
    "proof-arabic": {"kind": "proof", "languages": ("nl", "fr"), "name": ARABIC},
    "proof-chinese": {"kind": "proof", "languages": ("nl", "en"), "name": CHINESE},
    "partial-chinese": {"kind": "partial", "languages": ("nl", "fr"), "name": CHINESE},
    "partial-cyrillic": {"kind": "partial", "languages": ("nl", "en"), "name": CYRILLIC},
    "supplement-long": {"kind": "supplement", "languages": ("nl", "fr"), "holder_name": LONG_NAME},
    "statement-long": {"kind": "statement", "languages": ("nl", "en"), "holder_name": LONG_NAME},
    "proof-long": {"kind": "proof", "languages": ("nl", "en"), "holder_name": LONG_NAME},
    # The longest name an account can hold: a first and a last name of 150 characters each.
    "proof-longest": {"kind": "proof", "languages": ("nl", "fr"), "holder_name": f"{LONG_NAME} {LONG_NAME}"},
    "partial-long": {"kind": "partial", "languages": ("nl", "fr"), "holder_name": LONG_NAME},
    # Statements of one, two and five competencies: the last page is never a few lines.
    "statement-one": {"kind": "statement", "languages": ("nl", "fr"), "not_proven": range(2, 11)},
    "statement-two": {"kind": "statement", "languages": ("nl", "en"), "not_proven": range(3, 11)},
    "statement-five": {"kind": "statement", "languages": ("fr", "en"), "not_proven": range(6, 11)},
}
# The documents laid out from statement.html: proofs of competencies and of partial qualification.
STATEMENTS = [key for key in {**LATIN_DOCUMENTS, **OTHER_DOCUMENTS} if key.startswith(("statement", "partial"))]


@pytest.fixture(scope="module")
def documents(module_db):
    return render_once(**LATIN_DOCUMENTS, **OTHER_DOCUMENTS)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_of(document) -> str:
    return squash(" ".join(page.extract_text() for page in PdfReader(BytesIO(document.pdf)).pages))


def in_language(language: str, function, *args):
    with translation.override(language):
        return function(*args)


# --- The seal notice ------------------------------------------------------------------------------

SEAL_NOTICES = {
    "nl": "Elektronisch verzegeld door {centre} op {date}. Controleer de echtheid op {url}.",
    "fr": "Cachet électronique apposé par {centre} le {date}. Vérifiez l'authenticité sur {url}.",
    "en": "Electronically sealed by {centre} on {date}. Check its authenticity at {url}.",
}
TEST_SEAL_NOTICES = {
    "nl": "TESTZEGEL: dit document werd verzegeld met een ontwikkelzegel en bewijst niets.",
    "fr": "CACHET DE TEST : ce document a été scellé avec un cachet de développement et ne prouve rien.",
    "en": "TEST SEAL: this document was sealed with a development seal and proves nothing.",
}


@pytest.mark.parametrize("key", LATIN_DOCUMENTS)
def test_every_document_says_who_sealed_it_when_and_where_to_check_it_in_both_languages(documents, key):
    document = documents[key]
    text = text_of(document)
    for language in document.languages:
        date = in_language(language, formats.date_format, document.sealed_on, "j F Y")
        notice = SEAL_NOTICES[language].format(centre=document.centre_name, date=date, url=document.verification_url)
        assert notice in text, language
        # A development seal is also marked as such.
        assert TEST_SEAL_NOTICES[language] in text, language


# --- The statement's issuer block -----------------------------------------------------------------

ISSUER_TEXTS = {
    "nl": [
        "Uitgereikt door",
        "Erkenningsnummer: TC-0213-017",
        "Erkend testcentrum overeenkomstig het decreet van 26 april 2019 betreffende een geïntegreerd beleid "
        "voor de erkenning van verworven competenties.",
        "Plaats van uitreiking",
    ],
    "fr": [
        "Délivré par",
        "Numéro d'agrément : TC-0213-017",
        "Centre de test reconnu conformément au décret du 26 avril 2019 relatif à une politique intégrée de "
        "reconnaissance des compétences acquises.",
        "Lieu de délivrance",
    ],
    "en": [
        "Issued by",
        "Recognition number: TC-0213-017",
        "Recognised test centre under the decree of 26 April 2019 on an integrated policy for the recognition "
        "of acquired competencies.",
        "Place of issue",
    ],
}


@pytest.mark.parametrize("key", ["statement-nl-fr", "statement-nl-en", "proof-nl-fr", "proof-nl-en", "partial-fr-en"])
def test_a_proof_names_its_recognised_test_centre_number_date_place_and_verification(documents, key):
    document = documents[key]
    first_page = squash(PdfReader(BytesIO(document.pdf)).pages[0].extract_text())
    assert document.centre_name in first_page
    assert "Koning Albert II-laan 37 1030 Brussel" in first_page
    place = ISSUER_TEXTS[document.languages[0]][-1]
    assert "Brussel" in first_page.split(place)[1][:60]  # the place of issue
    assert document.number in first_page and document.verification_url in first_page
    for language in document.languages:
        date = in_language(language, formats.date_format, document.sealed_on, "j F Y")
        assert date in first_page
        for wording in ISSUER_TEXTS[language]:
            assert wording in first_page, (language, wording)


QR_DOCUMENTS = {
    "statement": "die dit bewijs van competenties verifieert",
    "partial": "die dit bewijs van deelkwalificatie verifieert",
    "proof": "die dit bewijs van beroepskwalificatie verifieert",
    "supplement": "die het bewijs van beroepskwalificatie verifieert waarbij dit supplement hoort",
}


@pytest.mark.parametrize("key", ["statement-nl-fr", "partial-nl-fr", "proof-nl-en", "supplement-nl-en"])
def test_the_qr_code_names_the_document_it_verifies(documents, key):
    document = documents[key]
    pdf = pikepdf.open(BytesIO(document.pdf))
    figures = [element for element in structure_elements(pdf) if element.get("/S") == "/Figure"]
    assert len(figures) == 1
    alternative = str(figures[0].Alt)
    assert document.verification_url in alternative
    assert QR_DOCUMENTS[document.kind] in alternative
    assert not [kind for kind, text in QR_DOCUMENTS.items() if kind != document.kind and text in alternative]
    assert "certifica" not in alternative


@pytest.mark.parametrize("key", ["proof-nl-fr", "proof-nl-en"])
def test_the_proof_prints_its_issuer_holder_and_seal_notice_once(documents, key):
    """The proof's heading names the centre; its address, recognition number and recognition are
    the issuer block's alone, the holder the declaration's alone, the seal notice the block's."""
    document = documents[key]
    text = text_of(document)
    assert text.count("Koning Albert II-laan 37") == 2  # the issuer block, one column each
    assert text.count("TC-0213-017") == 2
    for language in document.languages:
        assert text.count(ISSUER_TEXTS[language][2]) == 1, language  # recognised under the decree
        date = in_language(language, formats.date_format, document.sealed_on, "j F Y")
        notice = SEAL_NOTICES[language].format(centre=document.centre_name, date=date, url=document.verification_url)
        assert text.count(notice) == 1, language
    assert text.count(document.holder_name) == 1
    assert text.count(document.number) == 2  # the running header and the number field
    assert text.count(document.verification_url) == 3  # the field, and the seal notice in each language
    assert text.count("Plaats van uitreiking") == 1


@pytest.mark.parametrize(
    "address,place",
    [
        ("Koning Albert II-laan 37\n1030 Brussel", "Brussel"),
        ("Rue Royale 1\nB-1000 Bruxelles\nBelgique", "Bruxelles"),
        ("Kerkstraat 5 bus 2\n  9000   Gent  \n", "Gent"),
        ("Testcentrum zonder postcode", "Testcentrum zonder postcode"),
    ],
)
def test_the_place_of_issue_is_the_centres_town(address, place):
    from certificates.models import IssuingCentre
    from certificates.templatetags.supplement import place_of_issue

    assert place_of_issue(IssuingCentre(address=address)) == place


@pytest.mark.parametrize("key", STATEMENTS)
def test_no_page_of_a_statement_holds_only_a_few_lines_or_ends_on_a_heading(documents, key):
    document = documents[key]
    parser = Headings()
    parser.feed(document.html)
    pages = [body_lines(page) for page in PdfReader(BytesIO(document.pdf)).pages]
    for number, lines in enumerate(pages, start=1):
        assert len(lines) >= MIN_LINES_PER_PAGE, (key, number, lines)
        last = lines[-1][2]
        assert not any(heading and heading in last for heading in parser.texts), (key, number, last)


# --- Metadata after sealing -----------------------------------------------------------------------


def assert_metadata_agree(pdf: pikepdf.Pdf, *, author: str) -> None:
    info = pdf.docinfo
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        assert str(info.Title) == xmp["dc:title"]
        assert str(info.Author) == author and xmp["dc:creator"] == [author]
        assert str(info.Subject) == xmp["dc:description"]
        assert str(info.Keywords) == xmp["pdf:Keywords"]
        assert str(info.Producer) == xmp["pdf:Producer"]
        assert "WeasyPrint" in xmp["pdf:Producer"] and "pyHanko" in xmp["pdf:Producer"]
        assert pdf_date(info.CreationDate) == xmp_date(xmp["xmp:CreateDate"])
        assert pdf_date(info.ModDate) == xmp_date(xmp["xmp:ModifyDate"])
        assert xmp["dc:language"] == {str(pdf.Root.Lang)}


def pdf_date(value) -> str:
    return pikepdf.models.metadata.decode_pdf_date(str(value)).isoformat()


def xmp_date(value: str) -> str:
    from datetime import datetime

    return datetime.fromisoformat(value).isoformat()


@pytest.mark.parametrize("key", LATIN_DOCUMENTS)
def test_document_information_and_xmp_metadata_agree_on_every_issued_document(documents, key):
    document = documents[key]
    pdf = pikepdf.open(BytesIO(document.pdf))
    assert_metadata_agree(pdf, author=document.centre_name)
    assert str(pdf.Root.Lang) == document.languages[0]


def rendered_again(documents, key: str):
    """The document of ``key`` rendered again, as it is before the credential and the seal."""
    from certificates.models import SupplementVersion

    version = SupplementVersion.objects.filter(certificate__number=documents[key].number).first()
    render = rendering.render_proof_pdf if documents[key].kind == "proof" else rendering.render_supplement_pdf
    return version, render(version)


@pytest.mark.parametrize("key", ["statement-nl-en", "proof-nl-fr"])
def test_the_seal_keeps_the_metadata_of_a_rendered_document_in_agreement(documents, module_db, key):
    from certificates.sealing import seal_pdf

    version, pdf = rendered_again(documents, key)
    sealed = pikepdf.open(BytesIO(seal_pdf(pdf)))
    assert_metadata_agree(sealed, author=version.certificate.issuing_centre.name)
    assert "/Perms" in sealed.Root or "/AcroForm" in sealed.Root  # sealed indeed


@pytest.mark.parametrize("key", ["supplement-nl-fr", "proof-nl-en"])
def test_embedding_both_credential_files_keeps_the_metadata_in_agreement(documents, module_db, settings, key):
    from certificates.credentials.embedding import credential_files
    from certificates.sealing import seal_pdf

    settings.PORTAL_SEAL_PKCS12 = ""  # the files in an update of their own, without the seal's
    version, pdf = rendered_again(documents, key)
    embedded = pikepdf.open(BytesIO(seal_pdf(pdf, files=credential_files(b"{}", b"header.payload.signature"))))
    assert set(embedded.attachments) == {"credential.json", "credential.jwt"}
    assert_metadata_agree(embedded, author=version.certificate.issuing_centre.name)


# --- Long names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["supplement-long", "statement-long", "proof-long", "partial-long"])
def test_a_150_character_name_without_spaces_stays_inside_the_page(documents, key):
    with pdfplumber.open(BytesIO(documents[key].pdf)) as pdf:
        page = pdf.pages[0]
        assert abs(page.width - PAGE_WIDTH) < 1
        assert LONG_NAME in "".join(char["text"] for char in page.chars)  # whole, in reading order
        name = [char for char in page.chars if char["text"] == "W" and "Bold" in char["fontname"]]
        assert len({round(char["top"]) for char in name}) >= 2  # broken over lines
        # Every drawn character (a line's trailing space may hang in the margin) inside the margins.
        for char in page.chars:
            if char["text"].strip():
                assert char["x0"] >= MARGIN - 1 and char["x1"] <= PAGE_WIDTH - MARGIN + 1, char["text"]


@pytest.mark.parametrize("key", ["proof-nl-fr", "proof-long", "proof-longest", "proof-arabic", "proof-chinese"])
def test_the_proof_of_professional_qualification_stays_one_page_whatever_the_name(documents, key):
    document = documents[key]
    assert len(PdfReader(BytesIO(document.pdf)).pages) == 1
    # Whole (a name without spaces is broken over lines, and the lines are read with spaces between).
    assert "".join(document.holder_name.split()) in "".join(text_of(document).split())


# --- Names in other scripts -----------------------------------------------------------------------


def drawn_glyphs(pdf_bytes: bytes, page_index: int = 0) -> list[tuple[str, int]]:
    """(font name without its subset tag, glyph id) of every glyph drawn on the page."""
    pdf = pikepdf.open(BytesIO(pdf_bytes))
    page = pdf.pages[page_index]
    fonts = {str(name): str(font.BaseFont).split("+", 1)[-1] for name, font in page.Resources.Font.items()}
    glyphs, font = [], None
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "Tf":
            font = fonts[str(operands[0])]
        elif str(operator) in ("Tj", "TJ"):
            for item in operands[0] if str(operator) == "TJ" else operands:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    glyphs += [(font, int.from_bytes(data[i : i + 2], "big")) for i in range(0, len(data), 2)]
    return glyphs


def embedded_fonts(pdf_bytes: bytes) -> set[str]:
    pdf = pikepdf.open(BytesIO(pdf_bytes))
    return {
        str(font.BaseFont).split("+", 1)[-1] for page in pdf.pages for font in page.Resources.get("/Font", {}).values()
    }


@pytest.mark.parametrize(
    "key,family",
    [
        ("supplement-arabic", "Noto-Sans-Arabic"),
        ("statement-arabic", "Noto-Sans-Arabic"),
        ("supplement-chinese", "Noto-Sans-SC"),
        ("statement-chinese", "Noto-Sans-SC"),
        ("statement-greek", "Noto-Sans"),
        ("supplement-cyrillic", "Noto-Sans"),
        ("proof-arabic", "Noto-Sans-Arabic"),
        ("proof-chinese", "Noto-Sans-SC"),
        ("partial-chinese", "Noto-Sans-SC"),
        ("partial-cyrillic", "Noto-Sans"),
    ],
)
def test_names_in_other_scripts_are_drawn_with_the_portals_fonts_and_none_is_missing(documents, key, family):
    document = documents[key]
    assert embedded_fonts(document.pdf) <= PORTAL_FONTS
    glyphs = drawn_glyphs(document.pdf)
    assert all(glyph != 0 for _font, glyph in glyphs), "a character no portal font has"
    with pdfplumber.open(BytesIO(document.pdf)) as pdf:
        drawn = {(char["text"], char["fontname"].split("+", 1)[-1]) for char in pdf.pages[0].chars}
    for letter in document.holder_name.replace(" ", ""):
        assert any(text == letter and font.startswith(family) for text, font in drawn), letter
    assert squash(document.holder_name) in text_of(document)


@pytest.mark.parametrize("key", ["supplement-arabic", "statement-arabic", "proof-arabic"])
def test_an_arabic_name_is_shaped_and_runs_right_to_left(documents, key):
    document = documents[key]
    with pdfplumber.open(BytesIO(document.pdf)) as pdf:
        letters = [char for char in pdf.pages[0].chars if "Arabic" in char["fontname"] and char["text"].strip()]
    # Drawn from right to left: the leftmost letter is the name's last.
    left_to_right = "".join(char["text"] for char in sorted(letters, key=lambda char: char["x0"]))
    assert left_to_right[::-1] == document.holder_name.replace(" ", "")
    # Shaped: joined letters take their initial, medial and final forms, not the isolated ones.
    font = TTFont(FONTS / "NotoSansArabic-Bold.ttf")
    cmap = font.getBestCmap()
    isolated = {font.getGlyphID(cmap[ord(letter)]) for letter in document.holder_name if letter != " "}
    drawn = {glyph for name, glyph in drawn_glyphs(document.pdf) if name == "Noto-Sans-Arabic-Bold"}
    assert len(drawn - isolated) >= 5, "the letters are not joined"


def test_the_renderer_can_use_no_font_but_the_portals():
    """Whatever fonts the machine has, the renderer's fontconfig holds only the style sheet's."""
    rendering.stylesheet()
    files = rendering.fonts().font_files()
    css = (Path(settings.BASE_DIR) / "static" / "certificates" / "supplement.css").read_text()
    assert len(files) == css.count("@font-face") == 6
    assert len({Path(file).parent for file in files}) == 1  # WeasyPrint's copies of static/fonts


def test_the_shipped_fonts_cover_the_scripts_of_names_and_carry_their_licence():
    def covers(file: str, characters) -> bool:
        cmap = TTFont(FONTS / file, lazy=True).getBestCmap()
        return all(ord(character) in cmap for character in characters)

    gb2312 = []  # every hanzi of GB 2312, the characters of common Chinese names
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) == 6763 and covers("NotoSansSC-Regular.ttf", gb2312)
    greek = [chr(code) for code in range(0x391, 0x3CA) if code != 0x3A2]
    cyrillic = [chr(code) for code in range(0x400, 0x460)]
    arabic = [chr(code) for code in range(0x621, 0x64B)] + list("پچژگکی")
    for file in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf"):
        assert covers(file, greek + cyrillic), file
    for file in ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"):
        assert covers(file, arabic), file
    # Each family's files beside its own licence, which names it: NotoSansSC-Regular.ttf, OFL-NotoSansSC.txt.
    for font_file in FONTS.glob("*.ttf"):
        licence = (FONTS / f"OFL-{font_file.stem.split('-')[0]}.txt").read_text()
        assert "SIL Open Font License, Version 1.1" in licence and "Copyright" in licence, font_file.name


# --- Heading levels -------------------------------------------------------------------------------


class Headings(HTMLParser):
    """The level and text of each heading of an HTML document, in order."""

    def __init__(self):
        super().__init__()
        self.levels, self.texts, self._open = [], [], False

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
            self.texts.append("")
            self._open = True

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            self._open = False
            self.texts[-1] = squash(self.texts[-1])

    def handle_data(self, data):
        if self._open:
            self.texts[-1] += data


def assert_no_level_skipped(levels: list[int]) -> None:
    """The first heading is h1; each next one goes at most one level deeper (any number up)."""
    assert levels and levels[0] == 1, levels
    for previous, level in zip(levels, levels[1:], strict=False):
        assert level <= previous + 1, levels


def structure_elements(pdf: pikepdf.Pdf):
    """The structure elements in document order."""

    def walk(kids):
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") in (None, "/StructElem") and "/S" in kid:
                yield kid
                if "/K" in kid:
                    yield from walk(kid.K)

    yield from walk(pdf.Root.StructTreeRoot.K)


def outline_levels(items, depth=1):
    for item in items:
        yield depth
        yield from outline_levels(item.children, depth + 1)


@pytest.mark.parametrize("key", LATIN_DOCUMENTS)
def test_headings_do_not_skip_levels_in_the_html_the_structure_tree_and_the_outline(documents, key):
    document = documents[key]
    parser = Headings()
    parser.feed(document.html)
    assert_no_level_skipped(parser.levels)
    pdf = pikepdf.open(BytesIO(document.pdf))
    tagged = [int(str(element.S)[2]) for element in structure_elements(pdf) if re.fullmatch(r"/H[1-6]", str(element.S))]
    assert tagged == parser.levels
    with pdf.open_outline() as outline:
        levels = list(outline_levels(outline.root))
    assert_no_level_skipped(levels)
    assert max(levels) == max(parser.levels)
