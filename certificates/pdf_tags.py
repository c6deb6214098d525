"""Language tags on the parts of the tagged PDF.

WeasyPrint (up to at least 70) tags the PDF structure from the HTML elements but writes the
document's language only once, in the catalogue. A bilingual supplement needs each column's
language on its own structure element, so screen readers switch voice. This wraps WeasyPrint's
structure builder: every structure element made for an HTML element with a ``lang`` attribute
gets that language as ``/Lang``. Nothing else changes; the test of the supplement's structure
tree fails if a WeasyPrint upgrade changes the builder. WeasyPrint has no public way to do this,
so its version is pinned to those this was checked with (``rendering.CHECKED_WEASYPRINT_VERSIONS``,
decision 0028), and a test names what to check when another is installed.
"""

import pydyf
from weasyprint.pdf import tags

_build_box_tree = tags._build_box_tree


def _language_of(box) -> str | None:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) in ("html", "body"):
        return None
    return element.get("lang")


def _build_box_tree_with_languages(box, *args, **kwargs):
    language = _language_of(box)
    for structure_element in _build_box_tree(box, *args, **kwargs):
        if language:
            structure_element["Lang"] = pydyf.String(language)
        yield structure_element


def install() -> None:
    """Idempotent; WeasyPrint's builder calls itself through the module, so children get it too."""
    if tags._build_box_tree is not _build_box_tree_with_languages:
        tags._build_box_tree = _build_box_tree_with_languages
