"""Rendering the Europass certificate supplement with WeasyPrint (in the worker only).

The renderer may read nothing but the portal's own static files (stylesheet and fonts): its
URL fetcher refuses every other URL, so whatever a user typed into a name or a note can make
no network request and read no other file.
"""

import mimetypes
from pathlib import Path

import qrcode
import qrcode.image.svg
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint.urls import URLFetcher, URLFetcherResponse

from qualifications.selectors import (
    competencies_by_category,
    qualification_with_standard,
    supplement_texts,
)

from .models import SupplementVersion

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


def qr_code_svg(url: str) -> str:
    """The verification URL as an inline SVG, made locally."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def supplement_context(version: SupplementVersion) -> dict:
    certificate = version.certificate
    qualification = qualification_with_standard().get(pk=certificate.assessment.qualification_id)
    return {
        "certificate": certificate,
        "version": version,
        "qualification": qualification,
        "categories": competencies_by_category(qualification),
        "texts": supplement_texts(qualification),
        "languages": [version.first_language, version.second_language],
        "translations": [code for code, _name in settings.LANGUAGES if code != "nl"],
        "qr_code": mark_safe(qr_code_svg(certificate.verification_url)),  # generated here, not user input
    }


def supplement_html(version: SupplementVersion) -> str:
    with translation.override(version.first_language):
        return render_to_string("certificates/supplement.html", supplement_context(version))


def render_supplement_pdf(version: SupplementVersion) -> bytes:
    document = weasyprint.HTML(
        string=supplement_html(version),
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=PortalURLFetcher(),
    )
    return document.write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True)
