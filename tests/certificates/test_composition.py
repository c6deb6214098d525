"""A supplement joined from the holder's page and the shared pages is the document a single
render gives: the same pages, text, structure tree, bookmarks, links and fonts (decision 0013)."""

import re
from datetime import date
from io import BytesIO

import pikepdf
import pytest
from pypdf import PdfReader

from certificates import composition, rendering, services
from qualifications.models import SupplementText

from .. import factories, flows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cached = composition.shared_pages
    cached.cache_clear()
    yield
    cached.cache_clear()


def version_for(certificate, languages=("nl", "en")):
    return services.supplement_queue(certificate=certificate, languages=languages)


def structure(pdf: bytes) -> list[tuple]:
    """(depth, role, language, page number) of every structure element, in document order."""
    document = pikepdf.open(BytesIO(pdf))
    pages = {page.obj.objgen: number for number, page in enumerate(document.pages, start=1)}
    found = []

    def walk(element, depth):
        if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") in ("/MCR", "/OBJR"):
            return
        page = pages[element.Pg.objgen] if "/Pg" in element else None
        found.append((depth, str(element.S), str(element.get("/Lang", "")), page))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, depth + 1)

    walk(document.Root.StructTreeRoot.K[0], 0)
    return found


def outline(pdf: bytes) -> list[tuple]:
    reader = PdfReader(BytesIO(pdf))

    def entries(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from entries(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item)

    return list(entries(reader.outline, 1))


def links(pdf: bytes) -> list[list[str]]:
    return [
        [str(annotation.A.URI) for annotation in page.obj.get("/Annots", [])]
        for page in pikepdf.open(BytesIO(pdf)).pages
    ]


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


@pytest.mark.parametrize("languages", [("nl", "en"), ("fr", "nl")])
def test_the_composed_supplement_is_the_single_render_page_for_page(certificate, languages):
    version = version_for(certificate, languages)
    whole, composed = rendering.render_whole_pdf(version), rendering.render_supplement_pdf(version)
    assert len(page_texts(composed)) == len(page_texts(whole)) >= 4
    assert page_texts(composed) == page_texts(whole)
    assert structure(composed) == structure(whole)
    assert outline(composed) == outline(whole)
    assert links(composed) == links(whole)
    composed_reader, whole_reader = PdfReader(BytesIO(composed)), PdfReader(BytesIO(whole))
    assert composed_reader.metadata.title == whole_reader.metadata.title
    assert composed_reader.trailer["/Root"]["/Lang"] == languages[0]


def test_the_structure_tree_and_its_parent_tree_hold_together(certificate):
    document = pikepdf.open(BytesIO(rendering.render_supplement_pdf(version_for(certificate))))
    root = document.Root.StructTreeRoot
    numbers = root.ParentTree.Nums
    keys = [int(numbers[index]) for index in range(0, len(numbers), 2)]
    assert keys == sorted(set(keys))
    entries = {int(numbers[index]): numbers[index + 1] for index in range(0, len(numbers), 2)}
    for page in document.pages:
        # Every piece of marked content on the page belongs to an element of that page.
        used = {int(mcid) for mcid in re.findall(rb"/MCID (\d+)", page.obj.Contents.read_bytes())}
        marked = entries[int(page.obj.StructParents)]
        assert used and max(used) < len(marked)
        for mcid in used:
            assert marked[mcid].Pg.objgen == page.obj.objgen
        for annotation in page.obj.get("/Annots", []):
            owner = entries[int(annotation.StructParent)]
            assert any(kid.get("/Obj") is not None and kid.Obj.objgen == annotation.objgen for kid in owner.K)

    def parents_hold(element):
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                assert kid.P.objgen == element.objgen
                parents_hold(kid)

    assert len(root.K) == 1 and root.K[0].S == "/Document"
    parents_hold(root.K[0])
    # One tree: whatever the parent tree names (running headers and page numbers too) leads up to it.
    trees = [
        obj for obj in document.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructTreeRoot"
    ]
    assert len(trees) == 1
    for value in entries.values():
        for element in value if isinstance(value, pikepdf.Array) else [value]:
            while element.objgen != root.K[0].objgen:
                element = element.P
            assert element.P.objgen == root.objgen


def test_each_font_subset_has_a_name_of_its_own(certificate):
    document = pikepdf.open(BytesIO(rendering.render_supplement_pdf(version_for(certificate))))
    subsets = {}
    for page in document.pages:
        for font in page.obj.Resources.Font.values():
            subsets[font.objgen] = str(font.BaseFont)
            descendant = font.DescendantFonts[0]
            assert descendant.BaseFont == font.BaseFont == descendant.FontDescriptor.FontName
    assert len(subsets) >= 4  # the holder's page and the shared pages each have theirs
    assert len(set(subsets.values())) == len(subsets)


def test_the_shared_pages_are_laid_out_once_for_every_holder(assessment):
    first = version_for(flows.certify(assessment).certificate)
    second = version_for(flows.certify(factories.AssessmentFactory(qualification=assessment.qualification)).certificate)
    rendering.render_supplement_pdf(first)
    assert composition.shared_pages.cache_info().misses == 1
    rendering.render_supplement_pdf(second)
    assert composition.shared_pages.cache_info().hits == 1
    rendering.render_supplement_pdf(version_for(first.certificate, ("nl", "fr")))
    assert composition.shared_pages.cache_info().misses == 2


def test_a_changed_text_of_the_qualification_is_laid_out_again(certificate):
    version = version_for(certificate)
    rendering.render_supplement_pdf(version)
    SupplementText.objects.filter(key="occupations").update(text_en="Contact centre agent, call centre agent.")
    text = " ".join(page_texts(rendering.render_supplement_pdf(version)))
    assert "Contact centre agent, call centre agent." in text
    assert composition.shared_pages.cache_info().misses == 2


def test_the_shared_part_holds_nothing_of_the_holder(assessment, settings):
    settings.CERTIFICATE_SHOWS_DATE_OF_BIRTH = True
    assessment.candidate.date_of_birth = date(1990, 4, 17)
    assessment.candidate.save()
    certificate = flows.certify(assessment).certificate
    personal, shared = rendering.supplement_parts_html(version_for(certificate))
    for personal_detail in (certificate.number, certificate.holder_name, certificate.verification_url, "1990"):
        assert personal_detail in personal
        assert personal_detail not in shared


def test_a_holder_part_of_two_pages_moves_the_shared_pages_and_numbers_run_on(certificate, monkeypatch):
    parts = rendering.supplement_parts_html

    def taller_personal_part(version):
        personal, shared = parts(version)
        spacer = '<div style="height: 200mm"></div><p>Placed on a second page.</p>'
        return personal.replace('<div class="issuance">', spacer + '<div class="issuance">'), shared

    monkeypatch.setattr(rendering, "supplement_parts_html", taller_personal_part)
    first_pages, shared_pages = [], composition.shared_pages

    def recorded(source, first_page, lay_out):
        first_pages.append(first_page)
        return shared_pages(source, first_page, lay_out)

    monkeypatch.setattr(composition, "shared_pages", recorded)
    texts = page_texts(rendering.render_supplement_pdf(version_for(certificate)))
    total = len(texts)
    assert total == 7  # the holder's two pages and the five shared ones
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"\b{number} ?/ ?{total}\b", text), (number, text[-80:])
    assert certificate.number in texts[0] and "(0213)" in texts[2]
    assert first_pages == [2, 3]  # expected after one page, laid out again after two
