"""Rendering the Europass certificate supplement with WeasyPrint (in the worker only).

The renderer may read nothing but the portal's own static files (stylesheet and fonts): its
URL fetcher refuses every other URL, so whatever a user typed into a name or a note can make
no network request and read no other file.
"""

import mimetypes
from html import escape
from pathlib import Path

import qrcode
import qrcode.image.svg
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint.urls import URLFetcher, URLFetcherResponse

from qualifications.models import DescriptorElement
from qualifications.selectors import (
    competencies_by_category,
    qualification_with_standard,
    supplement_texts,
)

from . import pdf_tags
from .models import SupplementVersion

pdf_tags.install()

RENDERER_VERSION = f"WeasyPrint {weasyprint.__version__}"
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


def qr_code_svg(url: str, alternative_text: str) -> str:
    """The verification URL as an inline SVG, made locally; its <title> is the PDF's alternative text."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    opening_end = svg.index(">") + 1
    return f"{svg[:opening_end]}<title>{escape(alternative_text)}</title>{svg[opening_end:]}"


def qr_alternative_text(languages: list[str], url: str) -> str:
    descriptions = []
    for language in languages:
        with translation.override(language):
            descriptions.append(_("QR code with the address of the page that verifies this certificate"))
    return f"{' / '.join(descriptions)}: {url}"


def _pdf_date(moment) -> str:
    """One timestamp, to the second, for both the document information and the XMP metadata."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def supplement_context(version: SupplementVersion) -> dict:
    certificate = version.certificate
    qualification = qualification_with_standard().get(pk=certificate.assessment.qualification_id)
    languages = [version.first_language, version.second_language]
    url = certificate.verification_url
    return {
        "certificate": certificate,
        "centre": certificate.issuing_centre,
        "birth_date": certificate.holder_birth_date if settings.CERTIFICATE_SHOWS_DATE_OF_BIRTH else None,
        "version": version,
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
        # A certificate earned across a re-assessment chain names the date of every assessment.
        "assessment_dates": [link.started_at or link.scheduled_at for link in certificate.assessment.chain()],
        # Generated here from the certificate's own URL, not user input.
        "qr_code": mark_safe(qr_code_svg(url, qr_alternative_text(languages, url))),
        "rendered_at": _pdf_date(timezone.now()),
    }


def statement_context(version: SupplementVersion) -> dict:
    """A statement lists the competencies it covers, each with its indicators, in the standard's order."""
    context = supplement_context(version)
    covered = set(version.certificate.competencies.values_list("pk", flat=True))
    context["competencies"] = [c for c in context["qualification"].competencies.all() if c.pk in covered]
    context["total"] = len(context["qualification"].competencies.all())
    return context


def supplement_html(version: SupplementVersion) -> str:
    with translation.override(version.first_language):
        if version.certificate.is_statement:
            return render_to_string("certificates/statement.html", statement_context(version))
        return render_to_string("certificates/supplement.html", supplement_context(version))


def render_supplement_pdf(version: SupplementVersion) -> bytes:
    document = weasyprint.HTML(
        string=supplement_html(version),
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=PortalURLFetcher(),
    )
    return document.write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True)
