"""Rendering the Europass certificate supplement with WeasyPrint (in the worker only).

The renderer may read nothing but the portal's own static files (stylesheet and fonts): its
URL fetcher refuses every other URL, so whatever a user typed into a name or a note can make
no network request and read no other file.
"""

import functools
import itertools
import mimetypes
from html import escape
from pathlib import Path

import qrcode
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint.urls import URLFetcher, URLFetcherResponse

from qualifications.api import (
    competencies_by_category,
    qualification_with_standard,
    supplement_texts,
)
from qualifications.models import DescriptorElement

from . import composition, pdf_tags
from .catalogues import require_catalogues
from .fonts import PortalFonts
from .models import SupplementVersion

pdf_tags.install()

RENDERER_VERSION = f"WeasyPrint {weasyprint.__version__}"
# WeasyPrint offers no public way to give a structure element its language (pdf_tags) or to start
# a font configuration without the machine's fonts (fonts): both reach into its private code, which
# was checked with these versions only. pyproject.toml pins them and a test fails on any other.
CHECKED_WEASYPRINT_VERSIONS = ("70.0",)
STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()
ALLOWED_FOLDERS = (STATIC_DIR / "certificates", STATIC_DIR / "fonts")


class PortalURLFetcher(URLFetcher):
    """Serves files below the allowed static folders; refuses everything else."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if not url.startswith("file://"):
            raise ValueError(f"The supplement renderer fetches no external resource: {url[:100]}")
        path = Path(url.removeprefix("file://").split("?", 1)[0]).resolve()
        if not any(path.is_relative_to(folder) for folder in ALLOWED_FOLDERS) or not path.is_file():
            raise ValueError(f"The supplement renderer may not read {path.name}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# Two modules of light margin around the code, as the portal's codes always had (the standard
# asks for four; the box around the code adds the rest).
QR_BORDER = 2


def qr_code_svg(url: str, alternative_text: str) -> str:
    """The verification URL as an inline SVG, made locally; its <title> is the PDF's alternative text.

    One rectangle per run of dark modules in a row, where qrcode's own SVG has one square per
    module: the same drawing, with a quarter of the path for the renderer to parse and draw.
    Without a width and height of its own (a size in modules, larger for a longer address) the
    code fills the box the style sheet gives it: a CSS rule cannot size an element of the SVG
    namespace.
    """
    code = qrcode.QRCode(border=QR_BORDER)
    code.add_data(url)
    code.make(fit=True)
    modules = code.get_matrix()  # with the border
    size = len(modules)
    return (
        f'<svg viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg">'
        f'<title>{escape(alternative_text)}</title><path d="{_dark_runs(modules)}" fill="#000000"/></svg>'
    )


def _dark_runs(modules: list[list[bool]]) -> str:
    path = []
    for y, row in enumerate(modules):
        x = 0
        for dark, run in itertools.groupby(row):
            end = x + len(list(run))
            if dark:
                path.append(f"M{x},{y}H{end}V{y + 1}H{x}z")
            x = end
    return "".join(path)


def _qr_description(certificate, *, proof: bool) -> str:
    """Names the document the QR code is on, as the glossary names it."""
    if proof:
        return _("QR code with the address of the page that verifies this proof of professional qualification")
    if certificate.is_statement:
        return _("QR code with the address of the page that verifies this proof of competencies")
    if certificate.is_partial:
        return _("QR code with the address of the page that verifies this proof of partial qualification")
    return _(
        "QR code with the address of the page that verifies the proof of professional qualification this "
        "supplement accompanies"
    )


def qr_alternative_text(languages: list[str], certificate, *, proof: bool = False) -> str:
    """What the QR code is, in both languages, naming the document it is on, and its address;
    ``proof``: on the proof of professional qualification rather than its supplement."""
    descriptions = []
    for language in languages:
        with translation.override(language):
            descriptions.append(_qr_description(certificate, proof=proof))
    return f"{' / '.join(descriptions)}: {certificate.verification_url}"


def _pdf_date(moment) -> str:
    """One timestamp, to the second, for both the document information and the XMP metadata."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def shared_context(certificate, languages: list[str]) -> dict:
    """What the pages every holder shares show: the qualification, the pair, the issuing centre."""
    qualification = qualification_with_standard().get(pk=certificate.assessment.qualification_id)
    return {
        "centre": certificate.issuing_centre,
        "qualification": qualification,
        "categories": competencies_by_category(qualification),
        "entry_requirements": [
            element
            for element in qualification.descriptor_elements.all()
            if element.kind == DescriptorElement.Kind.ENTRY_REQUIREMENT
        ],
        "texts": supplement_texts(qualification),
        "languages": languages,
        "translations": [code for code, _name in settings.LANGUAGES if code != "nl"],
    }


def supplement_context(version: SupplementVersion, shared: dict | None = None) -> dict:
    """The whole document's context: the shared context (given, or read) and the holder's."""
    certificate = version.certificate
    languages = [version.first_language, version.second_language]
    url = certificate.verification_url
    # One moment for the metadata and the seal notice: the document is sealed as soon as it is rendered.
    moment = timezone.now()
    return {
        **(shared or shared_context(certificate, languages)),
        "certificate": certificate,
        "birth_date": certificate.holder_birth_date if settings.CERTIFICATE_SHOWS_DATE_OF_BIRTH else None,
        "version": version,
        # A certificate earned across a re-assessment chain names the date of every assessment.
        "assessment_dates": [link.started_at or link.scheduled_at for link in certificate.assessment.chain()],
        # Generated here from the certificate's own URL, not user input.
        "qr_code": mark_safe(qr_code_svg(url, qr_alternative_text(languages, certificate))),
        "rendered_at": _pdf_date(moment),
        "sealed_on": moment,
    }


def statement_context(version: SupplementVersion) -> dict:
    """A statement lists the competencies it covers, each with its indicators, in the standard's
    order; a proof of partial qualification lists them under each partial qualification it names."""
    context = supplement_context(version)
    covered = set(version.certificate.competencies.values_list("pk", flat=True))
    context["competencies"] = [c for c in context["qualification"].competencies.all() if c.pk in covered]
    context["total"] = len(context["qualification"].competencies.all())
    partials = version.certificate.partial_qualifications.order_by("order").prefetch_related("competencies")
    context["partial_qualifications"] = [(partial, _grouped(partial, context["competencies"])) for partial in partials]
    return context


def _grouped(partial, competencies: list) -> list:
    """The competencies of ``competencies`` (with their indicators) that ``partial`` groups."""
    grouped = {c.pk for c in partial.competencies.all()}
    return [c for c in competencies if c.pk in grouped]


def proof_context(version: SupplementVersion) -> dict:
    """The proof of professional qualification: the centre, the holder, the qualification, the
    legal basis, the number, date and place of issue, the verification address and the seal."""
    certificate = version.certificate
    languages = list(version.proof_languages)
    qualification = certificate.assessment.qualification
    url = certificate.verification_url
    # One moment for the metadata and the seal notice: the document is sealed as soon as it is rendered.
    moment = timezone.now()
    return {
        "centre": certificate.issuing_centre,
        "qualification": qualification,
        "texts": supplement_texts(qualification),
        "languages": languages,
        "certificate": certificate,
        "version": version,
        "birth_date": certificate.holder_birth_date if settings.CERTIFICATE_SHOWS_DATE_OF_BIRTH else None,
        "qr_code": mark_safe(qr_code_svg(url, qr_alternative_text(languages, certificate, proof=True))),
        "rendered_at": _pdf_date(moment),
        "sealed_on": moment,
    }


def document_html(template_name: str, context: dict) -> str:
    """A document's HTML, rendered only when the catalogues of both its languages are complete."""
    require_catalogues(template_name, context["languages"])
    return render_to_string(template_name, context)


def proof_html(version: SupplementVersion) -> str:
    with translation.override("nl"):
        return document_html("certificates/proof.html", proof_context(version))


def supplement_html(version: SupplementVersion) -> str:
    """The whole document's HTML."""
    with translation.override(version.first_language):
        if version.certificate.lists_competencies:
            return document_html("certificates/statement.html", statement_context(version))
        return document_html("certificates/supplement.html", supplement_context(version))


def supplement_parts_html(version: SupplementVersion) -> tuple[str, str]:
    """The HTML of a supplement's two parts: the holder's page, and the pages all holders share.

    The shared part is rendered from the shared context alone, so it cannot show anything of
    the holder's.
    """
    languages = [version.first_language, version.second_language]
    with translation.override(version.first_language):
        shared = shared_context(version.certificate, languages)
        personal = supplement_context(version, shared)
        return (
            document_html("certificates/supplement.html", {**personal, "part": "personal"}),
            document_html("certificates/supplement.html", {**shared, "part": "shared"}),
        )


# One font configuration and one parsed style sheet per process, made on first use (after the
# worker's fork): a warm worker loads the fonts and reads the style sheet once, as a browser keeps
# them in its cache. Renders run one at a time per process (prefork workers), as WeasyPrint needs.
@functools.cache
def fonts() -> PortalFonts:
    return PortalFonts()


@functools.cache
def stylesheet(name: str = "supplement.css") -> weasyprint.CSS:
    return weasyprint.CSS(
        filename=STATIC_DIR / "certificates" / name, url_fetcher=PortalURLFetcher(), font_config=fonts()
    )


def lay_out(source: str, total_pages: int | None = None, extra: tuple[str, ...] = ()) -> weasyprint.Document:
    """The HTML laid out in pages, numbered "page / total_pages" (or of its own pages), with the
    supplement's style sheet and the ``extra`` ones of the portal's own (the proof's)."""
    html = weasyprint.HTML(string=source, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=PortalURLFetcher())
    return html.render(
        stylesheets=[
            stylesheet(),
            *(stylesheet(name) for name in extra),
            *([composition.page_total(total_pages)] if total_pages else []),
        ],
        font_config=fonts(),
        **composition.PDF_OPTIONS,
    )


def render_proof_pdf(version: SupplementVersion) -> bytes:
    """The proof of professional qualification, with the supplement's styles and its own."""
    return lay_out(proof_html(version), extra=("proof.css",)).write_pdf(**composition.PDF_OPTIONS)


def render_whole_pdf(version: SupplementVersion) -> bytes:
    """The document laid out in one go: statements and proofs of partial qualification, and the
    reference a composed supplement equals."""
    return lay_out(supplement_html(version)).write_pdf(**composition.PDF_OPTIONS)


def render_supplement_pdf(version: SupplementVersion) -> bytes:
    """A statement or a proof of partial qualification in one go; a supplement as the holder's
    page joined to the shared pages.

    The holder's part is expected to fill one page; if it fills more, the shared pages are laid
    out again to start after it, so the page numbers always run through.
    """
    if version.certificate.lists_competencies:
        return render_whole_pdf(version)
    personal_source, shared_source = supplement_parts_html(version)
    personal_pages = 1
    for _attempt in range(3):
        shared = composition.shared_pages(shared_source, personal_pages + 1, lay_out)
        laid_out = lay_out(personal_source, personal_pages + shared.page_count)
        if len(laid_out.pages) == personal_pages:
            return composition.compose(laid_out, shared)
        personal_pages = len(laid_out.pages)
    return render_whole_pdf(version)  # the holder's page count would not settle: not seen, but safe
