"""One supplement from two renders: the holder's pages and the pages every holder shares.

Everything after the first page of a supplement describes the qualification: it is the same for
every holder of the same qualification in the same language pair, issued by the same centre.
Laying those pages out is most of a render's work, so a worker lays them out once
(``shared_pages``, kept per process) and, for each certificate, lays out only the holder's first
page and joins the two PDFs (``compose``). The result is one tagged PDF/A-3b, page for page and
word for word the document a single render of the whole supplement gives (decision 0013):

- the pages of the shared part follow the holder's pages;
- the structure elements of the shared part become children of the one ``Document`` element,
  and the parent tree that maps each page's marked content to them is renumbered to follow the
  holder's entries;
- the outline (bookmarks) is built again over all pages by WeasyPrint's own algorithm, from the
  bookmarks each render recorded, so headings nest across the join as in a single render;
- the shared part's font subsets get their own names (each subset of a file has a distinct tag);
- the catalogue, the metadata and the document information are the holder's render's.
"""

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from types import SimpleNamespace
from typing import cast

import pikepdf
import weasyprint

PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}
# WeasyPrint lays out in CSS pixels and writes points: 96 px = 72 pt.
PX_TO_PT = 0.75


@dataclass(frozen=True)
class SharedPages:
    """The laid-out shared part: its PDF, and what joining it to a holder's pages needs."""

    pdf: bytes
    page_count: int
    # Per page: the bookmarks WeasyPrint recorded (level, label, position, state) and the height.
    bookmark_pages: tuple
    # The object numbers of the structure elements whose parent is the part's Document element,
    # found once by going up from every element of the part (``_adopt_structure``).
    adopted: tuple


@functools.lru_cache(maxsize=64)
def page_total(total: int) -> weasyprint.CSS:
    """The holder's pages say "1 / total": the total of the whole document, not of the part."""
    # "!important": a later style sheet of the same origin as the supplement's own.
    return weasyprint.CSS(string=f"@page {{ @bottom-right {{ content: counter(page) ' / {total}' !important; }} }}")


LayOut = Callable[[str, int | None], weasyprint.Document]
# Blank pages laid out before the shared part stand for the holder's pages: the page counters
# then run as in the whole document, and the blank pages are left out of the PDF.
HOLDER_PAGE_STANDIN = '<div class="page-standin"></div>'


@functools.lru_cache(maxsize=16)
def shared_pages(source: str, first_page: int, lay_out: LayOut) -> SharedPages:
    """The shared part laid out once per worker process for each distinct HTML and first page.

    The HTML source is the key, so a change to a text, a template, a translation or the issuing
    centre is a new entry.
    """
    if source.count("<body>") != 1:
        raise ValueError("the shared part's HTML must open its body with a plain <body>")
    standins = first_page - 1
    laid_out = lay_out(source.replace("<body>", "<body>" + HOLDER_PAGE_STANDIN * standins), None)
    document = laid_out.copy(laid_out.pages[standins:])
    pdf = document.write_pdf(**PDF_OPTIONS)
    with pikepdf.open(BytesIO(pdf)) as part:
        adopted = tuple(element.objgen for element in _adopted(part))
    return SharedPages(
        pdf=pdf,
        page_count=len(document.pages),
        bookmark_pages=tuple((tuple(page.bookmarks), page.height) for page in document.pages),
        adopted=adopted,
    )


def compose(personal: weasyprint.Document, shared: SharedPages) -> bytes:
    """The holder's laid-out pages followed by the shared pages, as one tagged PDF/A-3b."""
    document = pikepdf.open(BytesIO(personal.write_pdf(**PDF_OPTIONS)))
    part = pikepdf.open(BytesIO(shared.pdf))
    if "/Names" in part.Root or "/AcroForm" in part.Root:
        # Named destinations and forms would need joining too; the supplement has neither.
        raise ValueError("the shared pages hold named destinations or a form, which are not joined")
    _rename_font_subsets(part, taken=_font_names(document))
    offset = _next_parent_tree_key(document)
    _renumber_structure_parents(part, offset)
    document.pages.extend(part.pages)
    _adopt_structure(document, part, [part.get_object(objgen) for objgen in shared.adopted])
    _write_outline(document, personal, shared)
    output = BytesIO()
    # Streams are copied as they are: WeasyPrint compressed them already. The other objects (the
    # structure elements, most of them) are packed in object streams, as WeasyPrint packs its own:
    # less than half the file, and written faster than one by one.
    document.save(
        output,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return output.getvalue()


def _parent_tree_numbers(pdf: pikepdf.Pdf) -> pikepdf.Array:
    return cast(pikepdf.Array, pdf.Root.StructTreeRoot.ParentTree.Nums)


def _next_parent_tree_key(pdf: pikepdf.Pdf) -> int:
    numbers = _parent_tree_numbers(pdf)
    return max((int(numbers[index]) for index in range(0, len(numbers), 2)), default=-1) + 1


def _renumber_structure_parents(part: pikepdf.Pdf, offset: int) -> None:
    """Move the part's parent tree keys after the document's: pages and link annotations."""
    for page in part.pages:
        page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    numbers = _parent_tree_numbers(part)
    for index in range(0, len(numbers), 2):
        numbers[index] = int(numbers[index]) + offset


def _adopt_structure(document: pikepdf.Pdf, part: pikepdf.Pdf, adopted: list[pikepdf.Object]) -> None:
    """The part's structure elements become elements of the document's ``Document`` element.

    Its children join the document's; the elements only the parent tree reaches (WeasyPrint's
    running headers and page numbers, artefacts) get the document's ``Document`` as parent too:
    ``adopted``, all of the part's elements whose parent is its ``Document`` (``_adopted``).
    Nothing may keep a reference to the part's own root, or the copy would bring a second
    structure tree along. Copied after the pages, so that page references point at the copies.
    """
    root = document.Root.StructTreeRoot.K[0]
    numbers = _parent_tree_numbers(part)
    for element in adopted:
        del element["/P"]
    # One copy of each array: the copier walks it in C++ and keeps page references consistent.
    for child in document.copy_foreign(part.make_indirect(pikepdf.Array(_children(part)))):
        root.K.append(child)
    _parent_tree_numbers(document).extend(document.copy_foreign(part.make_indirect(numbers)))
    for element in adopted:
        document.copy_foreign(element).P = root  # the copy made above, not a new one


def _children(pdf: pikepdf.Pdf) -> list:
    """The children of the ``Document`` element of the PDF's structure tree."""
    kids = pdf.Root.StructTreeRoot.K[0].K
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _adopted(part: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The part's structure elements whose parent is its ``Document`` element: its children, and
    those only the parent tree reaches."""
    return _below(part.Root.StructTreeRoot.K[0], [*_children(part), *_elements_of(_parent_tree_numbers(part))])


def _elements_of(numbers: pikepdf.Array):
    """The structure elements a parent tree's ``Nums`` array names (one, or one per MCID)."""
    for value in list(numbers)[1::2]:
        for element in value if isinstance(value, pikepdf.Array) else [value]:
            if isinstance(element, pikepdf.Dictionary):
                yield element


def _below(root: pikepdf.Object, elements) -> list[pikepdf.Dictionary]:
    """The elements whose parent is ``root``, found by going up from each of ``elements``."""
    seen, found = set(), []
    for element in elements:
        while element.get("/P") is not None and element.objgen not in seen:
            seen.add(element.objgen)
            if element.P.objgen == root.objgen:
                found.append(element)
                break
            element = element.P
    return found


def _fonts(pdf: pikepdf.Pdf):
    seen = set()
    for page in pdf.pages:
        for font in page.obj.Resources.get("/Font", {}).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield font


def _font_names(pdf: pikepdf.Pdf) -> set[str]:
    return {str(font.BaseFont) for font in _fonts(pdf)}


def _rename_font_subsets(part: pikepdf.Pdf, taken: set[str]) -> None:
    """Give the part's subsets tags of their own: "ABCDEF+Noto-Sans" is one subset per file."""
    for font in _fonts(part):
        name = str(font.BaseFont)
        tag, _, family = name.removeprefix("/").partition("+")
        seed = name
        while name in taken:
            seed = hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest()
            tag = "".join(chr(65 + int(seed[index : index + 2], 16) % 26) for index in range(0, 12, 2))
            name = f"/{tag}+{family}"
        taken.add(name)
        font.BaseFont = pikepdf.Name(name)
        for descendant in font.get("/DescendantFonts", []):
            descendant.BaseFont = pikepdf.Name(name)
            descendant.FontDescriptor.FontName = pikepdf.Name(name)


def _write_outline(document: pikepdf.Pdf, personal: weasyprint.Document, shared: SharedPages) -> None:
    """The bookmarks of all pages, nested by WeasyPrint's rules as in a single render."""
    pages = [*personal.pages, *(SimpleNamespace(bookmarks=b, height=h) for b, h in shared.bookmark_pages)]
    tree = personal.copy(pages).make_bookmark_tree(PX_TO_PT, transform_pages=True)
    if "/Outlines" in document.Root:
        del document.Root["/Outlines"]
    if not tree:
        return
    outlines = document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    first, last, count = _outline_items(document, tree, outlines)
    outlines.First, outlines.Last, outlines.Count = first, last, count
    document.Root.Outlines = outlines


def _outline_items(document: pikepdf.Pdf, tree, parent) -> tuple:
    """(first item, last item, visible count) of one level, as WeasyPrint writes them."""
    items: list[pikepdf.Object] = []
    count = len(tree)
    for title, (page_number, x, y), children, state in tree:
        item = document.make_indirect(
            pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Dest=pikepdf.Array([document.pages[page_number].obj, pikepdf.Name.XYZ, x, y, 0]),
                Parent=parent,
            )
        )
        if children:
            item.First, item.Last, children_count = _outline_items(document, children, item)
        else:
            children_count = 0
        item.Count = -children_count if state == "closed" else children_count
        if state != "closed":
            count += children_count
        if items:
            item.Prev, items[-1].Next = items[-1], item
        items.append(item)
    return items[0], items[-1], count
