"""The supplement as an official document: its texts, its pages and its PDF structure."""

import re
from collections import defaultdict
from datetime import datetime

import pytest
import qrcode
from pypdf import PdfReader
from qrcode.image.svg import SvgPathImage

from certificates import rendering, services
from certificates.models import SupplementVersion
from qualifications.models import DescriptorElement, SupplementText

from .conftest import render

pytestmark = pytest.mark.django_db

PAIRS = [("nl", "en"), ("en", "nl"), ("nl", "fr"), ("fr", "nl"), ("fr", "en"), ("en", "fr")]
AUTHENTIC_TITLE = "Contactcenteroperator"
AUTHENTIC_DEFINITION = (
    "De contactcenteroperator beantwoordt oproepen van klanten, geeft informatie en contacteert personen in een "
    "niet gespecialiseerd domein en gebruikt daarvoor simultaan telefonische en elektronische "
    "communicatiemiddelen teneinde te zorgen voor een adequate informatieverstrekking en dataverzameling."
)
AUTHENTIC_FIRST_COMPETENCY = (
    "Stelt zich voor aan de telefoon en controleert de identiteit en de gegevens van de gesprekspartner "
    "(klantnummer, adres...)"
)
LEGAL_AND_EUROPASS_KEYS = [
    "legal_basis",
    "recognition_basis",
    "competencies_statement_basis",
    "next_level_access",
    "further_information",
    "national_reference_point",
    "explanatory_note",
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Body text lies between the running header and the page number (A4 is 842 pt high).
BODY_TOP, BODY_BOTTOM = 842 - 62, 51
HEADER_BOTTOM = 842 - 62


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def rendered_pair(certificate, languages) -> SupplementVersion:
    return render(services.supplement_queue(certificate=certificate, languages=languages))


def text_of(version: SupplementVersion) -> str:
    reader = PdfReader(version.file.path)
    return squash(" ".join(page.extract_text() for page in reader.pages))


def lines_of(page) -> list[tuple[float, bool, str]]:
    """(baseline, bold, text) of each line of a page, top to bottom, from the drawn text."""
    fragments = defaultdict(lambda: {"bold": False, "text": []})

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        y = round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
        line = fragments[y]
        line["text"].append(text)
        base_font = str((font or {}).get("/BaseFont", ""))
        line["bold"] = line["bold"] or "Bold" in base_font

    page.extract_text(visitor_text=visit)
    return [(y, line["bold"], squash("".join(line["text"]))) for y, line in sorted(fragments.items(), reverse=True)]


def body_lines(page) -> list[tuple[float, bool, str]]:
    return [line for line in lines_of(page) if BODY_BOTTOM < line[0] < BODY_TOP]


@pytest.mark.parametrize("languages", PAIRS)
def test_every_language_pair_holds_the_authentic_dutch_the_legal_bases_the_europass_fields_and_the_centre(
    certificate, languages
):
    version = rendered_pair(certificate, languages)
    text = text_of(version)
    assert f"Beroepskwalificatie {AUTHENTIC_TITLE}" in text
    assert AUTHENTIC_DEFINITION in text
    if "nl" in languages:
        assert AUTHENTIC_FIRST_COMPETENCY in text
    for language in languages:
        for key in LEGAL_AND_EUROPASS_KEYS:
            wording = squash(getattr(SupplementText.objects.get(key=key), f"text_{language}"))
            assert wording in text, (language, key)
        for requirement in DescriptorElement.objects.filter(kind=DescriptorElement.Kind.ENTRY_REQUIREMENT):
            assert squash(getattr(requirement, f"text_{language}")) in text
    centre = certificate.issuing_centre
    assert centre.name in text and centre.recognition_number in text
    assert "Koning Albert II-laan 37" in text
    # The 2002 note and its old address are gone.
    assert "europass.cedefop" not in text and "©" not in text


@pytest.mark.parametrize("languages", PAIRS)
def test_no_e_mail_address_is_ever_printed(certificate, languages):
    version = rendered_pair(certificate, languages)
    assert certificate.assessment.candidate.email
    assert not EMAIL.search(text_of(version))


def test_the_legal_bases_name_the_evc_acts_for_the_proof_and_the_acts_recognising_the_qualification(certificate):
    text = text_of(rendered_pair(certificate, ("nl", "fr")))
    for act in [
        "Bewijs van beroepskwalificatie: decreet van 26 april 2019 betreffende een geïntegreerd beleid voor de "
        "erkenning van verworven competenties",
        "besluit van de Vlaamse Regering van 19 juli 2019 betreffende de uitvoering van het decreet van 26 april 2019",
        "Beroepskwalificatie: decreet van 30 april 2009 betreffende de kwalificatiestructuur, artikel 12",
        "besluit van de Vlaamse Regering van 25 maart 2016 tot erkenning van de beroepskwalificatie contactcenteroperator",
        "décret du 26 avril 2019 relatif à une politique intégrée de reconnaissance des compétences acquises",
        "arrêté du Gouvernement flamand du 19 juillet 2019 portant exécution du décret du 26 avril 2019",
        "décret du 30 avril 2009 relatif à la structure des certifications, article 12",
        "arrêté du Gouvernement flamand du 25 mars 2016 portant agrément de la qualification professionnelle",
    ]:
        assert act in text, act
    # The regime of the "ervaringsbewijs" (decree of 30 April 2004, order of 14 December 2018) is not the basis.
    for old in ["30 april 2004", "30 avril 2004", "14 december 2018", "14 décembre 2018"]:
        assert old not in text


def test_the_pdf_author_is_the_issuing_centre(certificate):
    reader = PdfReader(rendered_pair(certificate, ("nl", "en")).file.path)
    assert reader.metadata.author == certificate.issuing_centre.name


def test_only_translated_columns_are_marked_as_having_no_legal_value(certificate):
    version = services.supplement_queue(certificate=certificate, languages=("nl", "en"))
    from certificates.rendering import supplement_html

    html = supplement_html(version)
    notice = SupplementText.objects.get(key="translation_notice")
    assert notice.text_en in html
    assert notice.text_nl not in html  # the Dutch column is the authentic text


@pytest.mark.parametrize("languages", [("nl", "en"), ("fr", "en"), ("nl", "fr")])
def test_pages_are_never_nearly_empty_and_never_end_on_a_heading_or_label(certificate, languages):
    reader = PdfReader(rendered_pair(certificate, languages).file.path)
    pages = [body_lines(page) for page in reader.pages]
    assert len(pages) >= 3
    for number, lines in enumerate(pages, start=1):
        last_page = number == len(pages)
        if not last_page:
            assert len(lines) >= 8, (number, lines)
        else:
            # Only the last page of a section that fits on one page may be short: it starts there.
            assert len(lines) >= 8 or any(line[1] for line in lines[:2]), (number, lines)
        # Headings and labels are bold: the last line of a page is never one of them.
        assert not lines[-1][1], (number, lines[-1])


@pytest.mark.parametrize("languages", PAIRS)
def test_the_running_header_fits_on_one_line(certificate, languages):
    reader = PdfReader(rendered_pair(certificate, languages).file.path)
    for number, page in enumerate(reader.pages, start=1):
        header = [line for line in lines_of(page) if line[0] >= HEADER_BOTTOM]
        assert len(header) == 1, header
        # The holder's page names the certificate; the pages all holders share, the qualification.
        assert header[0][2].endswith(certificate.number if number == 1 else "Contactcenteroperator (0213)")


def test_french_and_dutch_typography_keeps_numbers_units_and_colons_together(certificate):
    reader = PdfReader(rendered_pair(certificate, ("fr", "nl")).file.path)
    raw = " ".join(page.extract_text() for page in reader.pages)
    assert "3\u00a0%" in raw and "3 %" not in raw
    assert "Preuve de qualification professionnelle\u00a0: décret" in raw
    lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
    assert not any(line.rstrip().endswith(("http://", "https://", "http:", "https:")) for line in lines)


def test_the_verification_url_is_a_link_annotation(certificate):
    reader = PdfReader(rendered_pair(certificate, ("nl", "en")).file.path)
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for annotation in reader.pages[0].get("/Annots", [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    assert certificate.verification_url in uris


def structure_elements(reader):
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    stack, found = [root["/K"]], []
    while stack:
        kids = stack.pop()
        kids = kids.get_object() if hasattr(kids, "get_object") else kids
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and kid.get("/Type") == "/StructElem":
                found.append(kid)
                if "/K" in kid:
                    stack.append(kid["/K"])
    return found


@pytest.mark.parametrize("languages", [("nl", "en"), ("fr", "en")])
def test_each_column_carries_its_language_and_the_qr_code_its_alternative_text(certificate, languages):
    reader = PdfReader(rendered_pair(certificate, languages).file.path)
    elements = structure_elements(reader)
    tagged = defaultdict(int)
    for element in elements:
        if "/Lang" in element:
            tagged[str(element["/Lang"])] += 1
    first, second = languages
    assert tagged[first] >= 20 and tagged[second] >= 20
    figures = [element for element in elements if element["/S"] == "/Figure"]
    assert len(figures) == 1
    alternative = str(figures[0]["/Alt"])
    assert "QR" in alternative and certificate.verification_url in alternative
    # The layout is divisions; the only tables are the data tables of section 6, with headers.
    tables = [element for element in elements if element["/S"] == "/Table"]
    assert len(tables) == 2
    assert sum(1 for element in elements if element["/S"] == "/TH") == 6


RECTANGLE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z")


def dark_modules(svg: str) -> tuple[str, set[tuple[int, int]]]:
    """The SVG's view box and the modules its path covers, from rectangles drawn "M x,y H x V y H x z"."""
    path = re.search(r' d="([^"]*)"', svg).group(1)
    assert RECTANGLE.sub("", path) == ""  # rectangles and nothing else
    modules = set()
    for left, top, right, bottom, back in RECTANGLE.findall(path):
        assert back == left
        modules |= {(x, y) for x in range(int(left), int(right)) for y in range(int(top), int(bottom))}
    return re.search(r'viewBox="([^"]*)"', svg).group(1), modules


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/verify/3NjTG0kIcyMeJl1jJhYZAhuh/", "https://" + "x" * 120])
def test_the_qr_code_draws_the_modules_qrcode_draws_one_by_one(url):
    ours = rendering.qr_code_svg(url, "QR code")
    theirs = qrcode.make(url, image_factory=SvgPathImage, border=rendering.QR_BORDER).to_string(encoding="unicode")
    assert dark_modules(ours) == dark_modules(theirs)
    assert ours.count("M") < theirs.count("M") * 0.6  # a rectangle per run of modules, not a square per module


def outline_entries(reader, outline=None, depth=1):
    for item in reader.outline if outline is None else outline:
        if isinstance(item, list):
            yield from outline_entries(reader, item, depth + 1)
        else:
            yield depth, item.title, reader.get_destination_page_number(item)


def test_bookmarks_follow_the_document_in_the_first_language(certificate):
    reader = PdfReader(rendered_pair(certificate, ("nl", "en")).file.path)
    entries = list(outline_entries(reader))
    titles = [title for _depth, title, _page in entries]
    pages = [page for _depth, _title, page in entries]
    assert pages == sorted(pages)
    assert [(depth, title) for depth, title, _page in entries[:1]] == [(1, "Certificaatsupplement")]
    sections = [title for depth, title, _page in entries if depth == 2]
    assert [title.split(".")[0] for title in sections[:6]] == ["1", "2", "3", "4", "5", "6"]
    assert sections[0].startswith("1. Benaming") and sections[-1] == "Toelichting"
    assert not any("Title of the certificate" in title or "Certificate supplement" in title for title in titles)
    competencies = [title for depth, title, _page in entries if depth == 4]
    assert [int(title.split(".")[0]) for title in competencies] == list(range(1, 11))


def test_xmp_and_document_information_dates_agree(certificate):
    reader = PdfReader(rendered_pair(certificate, ("nl", "en")).file.path)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    # Written as elements by WeasyPrint, as attributes once the seal has rewritten the metadata.
    created = re.search(r'xmp:CreateDate(?:>|=")([^<"]+)', xmp).group(1)
    modified = re.search(r'xmp:ModifyDate(?:>|=")([^<"]+)', xmp).group(1)
    assert datetime.fromisoformat(created) == reader.metadata.creation_date
    assert datetime.fromisoformat(modified) == reader.metadata.modification_date


def test_the_date_of_birth_is_printed_only_when_configured(assessment, settings):
    from tests import flows

    candidate = assessment.candidate
    candidate.date_of_birth = datetime(1990, 4, 17).date()
    candidate.save()
    settings.CERTIFICATE_SHOWS_DATE_OF_BIRTH = True
    certificate = flows.certify(assessment).certificate
    assert certificate.holder_birth_date == candidate.date_of_birth
    assert "17 april 1990" in text_of(render(certificate.versions.get()))
    settings.CERTIFICATE_SHOWS_DATE_OF_BIRTH = False
    assert "1990" not in text_of(rendered_pair(certificate, ("nl", "en")))


def test_the_date_of_birth_is_not_copied_by_default(assessment):
    from tests import flows

    candidate = assessment.candidate
    candidate.date_of_birth = datetime(1990, 4, 17).date()
    candidate.save()
    certificate = flows.certify(assessment).certificate
    assert certificate.holder_birth_date is None
    assert "1990" not in text_of(render(certificate.versions.get()))
