"""The public page of each achievement and its badge image (decision 0022): a qualification and a
kind of proof, described for anyone, with the Open Graph tags a shared link is shown with. They
name no holder: a holder's proof is shown by its verification link."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from qualifications.api import AUTHENTIC_LANGUAGE, LANGUAGE_CODES, active_language
from qualifications.models import Proof, Qualification

from . import badges
from .models import IssuingCentre

KINDS = {slug: kind for kind, slug in badges.KIND_SLUGS.items()}
# Open Graph names a locale by language and territory: the portal speaks to Belgium, English ours.
OPEN_GRAPH_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
# An image may be kept a day by anyone: it changes only with the qualification's texts.
IMAGE_CACHING = {"public": True, "max_age": 24 * 3600}
# What an SVG opened on its own may use: its own style element and the font embedded in it.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; font-src data:; frame-ancestors 'none'"


def _achievement(code: str, kind_slug: str) -> tuple[Qualification, str]:
    """The qualification and the kind of proof of an achievement it can award; else a 404."""
    kind = KINDS.get(kind_slug)
    if kind is None:
        raise Http404
    qualification = get_object_or_404(Qualification, code=code)
    if kind == Proof.PARTIAL and not qualification.partial_qualifications.exists():
        raise Http404  # no proof of partial qualification without partial qualifications
    return qualification, kind


@require_GET
def achievement(request, code: str, kind: str):
    qualification, kind = _achievement(code, kind)
    language = active_language()
    languages = badges.page_languages(language)
    context = {
        "qualification": qualification,
        "kind": kind,
        "kind_label": Proof(kind).label,
        "competencies": qualification.competencies.order_by("order"),
        "partial_qualifications": qualification.partial_qualifications.order_by("order").prefetch_related(
            "competencies"
        ),
        "centre": IssuingCentre.objects.current(),
        "badge_text": badges.badge_for(qualification, kind, languages).described(language),
        "image_url": badges.badge_path(qualification.code, kind, languages, "svg"),
        "png_url": badges.badge_path(qualification.code, kind, languages, "png"),
        "page_address": settings.PORTAL_BASE_URL + request.path,
        "png_address": settings.PORTAL_BASE_URL + badges.badge_path(qualification.code, kind, languages, "png"),
        "image_size": badges.SIZE,
        "open_graph_locale": OPEN_GRAPH_LOCALES[language],
        "is_translation": language != AUTHENTIC_LANGUAGE,
    }
    return render(request, "certificates/achievement.html", context)


@require_GET
def badge_image(request, code: str, kind: str, first: str, second: str, extension: str):
    qualification, kind = _achievement(code, kind)
    if first == second or not {first, second} <= set(LANGUAGE_CODES):
        raise Http404
    image = badges.badge_image(badges.badge_for(qualification, kind, (first, second)), extension)
    response = HttpResponse(image, content_type=badges.IMAGE_TYPES[extension])
    if extension == "svg":
        response["Content-Security-Policy"] = SVG_POLICY
    patch_cache_control(response, **IMAGE_CACHING)
    return response
