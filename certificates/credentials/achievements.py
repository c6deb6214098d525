"""The achievement a proof claims (Open Badges 3.0 ``Achievement``): what it says was proven, and
nothing more (docs/decisions/0021-true-claims.md).

The proof of professional qualification claims the qualification: its achievement's id is the
qualification's public page, with a result for every competency. A proof of partial qualification
and a proof of competencies claim less, so each has an achievement of its own, published at
``/credentials/achievements/<qualification>/partial-qualifications/<orders>/`` or
``…/competencies/<orders>/`` (the orders of what it names, ascending, comma-separated): own id,
name, description, criteria and type, and results only for what it names.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qualifications.models import Competency, PartialQualification, Proof, Qualification

from ..models import Certificate
from .documents import OB3_CONTEXT, VC_V2_CONTEXT

EQF_URL = "https://europa.eu/europass/en/description-eight-eqf-levels"
FLEMISH_LEVELS_URL = "https://www.vlaamsekwalificatiestructuur.be/"
FLEMISH_FRAMEWORK = "Vlaamse kwalificatiestructuur"
# Open Badges 3.0's AchievementType: "Certificate" (a credential that designates the requisite
# knowledge and skills of an occupation) for the professional qualification; "Competency" for
# proven competencies; the decree's own category, in the extension form, for a partial qualification.
ACHIEVEMENT_TYPES = {
    Proof.CERTIFICATE: "Certificate",
    Proof.PARTIAL: "ext:PartialQualification",
    Proof.STATEMENT: "Competency",
}
# The path segment of each kind's own achievement, and the view that publishes it.
ACHIEVEMENT_ROUTES = {
    Proof.PARTIAL: "certificates:achievement_partial",
    Proof.STATEMENT: "certificates:achievement_competencies",
}
# The languages of a published achievement: the authentic text and the official translation.
PUBLISHED_LANGUAGES = ("nl", "fr")
ORDERS_PATTERN = re.compile(r"(?:0|[1-9][0-9]{0,4})(?:,(?:0|[1-9][0-9]{0,4}))*")


@dataclass(frozen=True)
class Claim:
    """What a proof says was proven: its kind, the partial qualifications it names and the
    competencies it proves (every one of the qualification for the proof of professional qualification)."""

    qualification: Qualification
    kind: Proof
    partial_qualifications: tuple[PartialQualification, ...]
    competencies: tuple[Competency, ...]


def certificate_claim(certificate: Certificate) -> Claim:
    """The claim of an issued document, as fixed at its issuance."""
    qualification = certificate.assessment.qualification
    listed = certificate.competencies if certificate.lists_competencies else qualification.competencies
    return Claim(
        qualification=qualification,
        kind=Proof(certificate.kind),
        partial_qualifications=tuple(certificate.partial_qualifications.order_by("order")),
        competencies=tuple(listed.order_by("order")),
    )


def _written_orders(orders: str) -> list[int] | None:
    """The orders of an achievement URL, if written as the portal writes them: ascending, once each."""
    if not ORDERS_PATTERN.fullmatch(orders):
        return None
    numbers = [int(order) for order in orders.split(",")]
    return numbers if numbers == sorted(set(numbers)) else None


def _partial_qualifications(qualification: Qualification, orders: list[int]) -> tuple | None:
    """The partial qualifications of these orders and the competencies they cover, or None when one
    is missing or has no competencies (it is never obtained)."""
    partials = tuple(
        qualification.partial_qualifications.filter(order__in=orders).prefetch_related(
            Prefetch("competencies", queryset=Competency.objects.order_by("order"))
        )
    )
    if len(partials) != len(orders) or any(not partial.competencies.all() for partial in partials):
        return None
    covered = {competency.pk: competency for partial in partials for competency in partial.competencies.all()}
    return partials, tuple(sorted(covered.values(), key=lambda competency: competency.order))


def published_claim(*, qualification_code: str, kind: Proof, orders: str) -> Claim | None:
    """The claim an achievement URL names, or None when no proof could make it: the orders written
    as the portal writes them, all existing, naming some but not all of the qualification's
    competencies (all of them are the qualification's own achievement)."""
    numbers = _written_orders(orders)
    if not numbers:
        return None
    qualification = Qualification.objects.filter(code=qualification_code).first()
    if qualification is None:
        return None
    standard_size = qualification.competencies.count()
    named = qualification.partial_qualifications if kind == Proof.PARTIAL else qualification.competencies
    if len(numbers) > named.count():
        return None  # more than there are; also bounds the query below
    if kind == Proof.PARTIAL:
        found = _partial_qualifications(qualification, numbers)
        if found is None:
            return None
        partials, competencies = found
    else:
        partials, competencies = (), tuple(qualification.competencies.filter(order__in=numbers).order_by("order"))
        if len(competencies) != len(numbers):
            return None
    if len(competencies) == standard_size:
        return None
    return Claim(qualification=qualification, kind=kind, partial_qualifications=partials, competencies=competencies)


def qualification_url(qualification: Qualification) -> str:
    return settings.PORTAL_BASE_URL + reverse("qualifications:detail", args=[qualification.code])


def achievement_id(claim: Claim) -> str:
    """The proof of professional qualification's achievement is the qualification (its public page);
    every other claim's is its own URL, which answers the achievement as JSON-LD."""
    if claim.kind == Proof.CERTIFICATE:
        return qualification_url(claim.qualification)
    named = claim.partial_qualifications if claim.kind == Proof.PARTIAL else claim.competencies
    orders = ",".join(str(item.order) for item in named)
    return settings.PORTAL_BASE_URL + reverse(ACHIEVEMENT_ROUTES[claim.kind], args=[claim.qualification.code, orders])


def fragment_id(identifier: str, what: str, code: str) -> str:
    """A result description's id: the achievement's, with a fragment naming the official code,
    percent-encoded, so that a code with spaces still makes a URI (and two codes never one)."""
    return f"{identifier}#{what}-{quote(code, safe='')}"


def _in_pair(languages: tuple[str, str], text_of) -> list[str]:
    texts = []
    for language in languages:
        with translation.override(language):
            texts.append(text_of(language))
    return texts


def _joined_titles(items, language: str) -> str:
    return "; ".join(getattr(item, f"title_{language}") for item in items)


def _name(claim: Claim, language: str) -> str:
    title = getattr(claim.qualification, f"title_{language}")
    if claim.kind == Proof.PARTIAL:
        return _("Proof of partial qualification — %(partials)s (%(qualification)s)") % {
            "partials": _joined_titles(claim.partial_qualifications, language),
            "qualification": title,
        }
    if claim.kind == Proof.STATEMENT:
        return _("Proof of competencies — %(qualification)s: %(proven)s of %(total)s competencies") % {
            "qualification": title,
            "proven": len(claim.competencies),
            "total": claim.qualification.competencies.count(),
        }
    return title


def _description(claim: Claim, language: str) -> str:
    qualification = claim.qualification
    values = {"qualification": getattr(qualification, f"title_{language}"), "code": qualification.code}
    if claim.kind == Proof.PARTIAL:
        count = len(claim.partial_qualifications)
        return ngettext(
            "The partial qualification %(partials)s of the professional qualification %(qualification)s "
            "(%(code)s): every competency of it proven in a recognition of acquired competencies (EVC) "
            "procedure. Not the full professional qualification.",
            "The partial qualifications %(partials)s of the professional qualification %(qualification)s "
            "(%(code)s): every competency of each proven in a recognition of acquired competencies (EVC) "
            "procedure. Not the full professional qualification.",
            count,
        ) % {**values, "partials": _joined_titles(claim.partial_qualifications, language)}
    if claim.kind == Proof.STATEMENT:
        return _(
            "%(proven)s of the %(total)s competencies of the professional qualification %(qualification)s "
            "(%(code)s), proven in a recognition of acquired competencies (EVC) procedure. Not the full "
            "professional qualification."
        ) % {**values, "proven": len(claim.competencies), "total": qualification.competencies.count()}
    return getattr(qualification, f"definition_{language}")


def _criteria(claim: Claim, language: str) -> str:
    """What earns the achievement: never more than the document says."""
    codes = ", ".join(competency.code for competency in claim.competencies)
    if claim.kind == Proof.STATEMENT:
        return _(
            "Proof of competencies, not the full professional qualification, under the decree of "
            "26 April 2019 on an integrated policy for the recognition of acquired competencies. "
            "Competencies proven: %(codes)s."
        ) % {"codes": codes}
    if claim.kind == Proof.PARTIAL:
        return _(
            "Proof of partial qualification, not the full professional qualification, under the decree of "
            "26 April 2019 on an integrated policy for the recognition of acquired competencies. Partial "
            "qualifications obtained: %(partials)s. Competencies proven: %(codes)s."
        ) % {
            "partials": "; ".join(
                f"{partial.code} {getattr(partial, f'title_{language}')}" for partial in claim.partial_qualifications
            ),
            "codes": codes,
        }
    return _(
        "Proof of professional qualification: every competency of the professional qualification proven in a "
        "recognition of acquired competencies (EVC) procedure, judged by two assessors, under the decree of "
        "26 April 2019 on an integrated policy for the recognition of acquired competencies."
    )


def _alignment(claim: Claim, languages: tuple[str, str]) -> list[dict]:
    """The full proof is at the qualification's levels; a part of it is aligned to the
    qualification it belongs to, and claims no level of its own."""
    qualification = claim.qualification
    if claim.kind != Proof.CERTIFICATE:
        return [
            {
                "type": ["Alignment"],
                "targetType": "ext:ProfessionalQualification",
                "targetCode": qualification.code,
                "targetFramework": FLEMISH_FRAMEWORK,
                "targetName": " / ".join(
                    _in_pair(languages, lambda language: getattr(qualification, f"title_{language}"))
                ),
                "targetUrl": qualification_url(qualification),
            }
        ]
    return [
        {
            "type": ["Alignment"],
            "targetType": "ext:FlemishQualificationLevel",
            "targetCode": str(qualification.flemish_level),
            "targetFramework": FLEMISH_FRAMEWORK,
            "targetName": f"{FLEMISH_FRAMEWORK}, niveau {qualification.flemish_level}",
            "targetUrl": FLEMISH_LEVELS_URL,
        },
        {
            "type": ["Alignment"],
            "targetType": "ext:EQFLevel",
            "targetCode": str(qualification.eqf_level),
            "targetFramework": "European Qualifications Framework",
            "targetName": f"EQF level {qualification.eqf_level}",
            "targetUrl": EQF_URL,
        },
    ]


def _result_descriptions(claim: Claim, identifier: str, languages: tuple[str, str]) -> list[dict]:
    """One per partial qualification named, then one per competency proven; nothing else."""
    partials = [
        {
            "id": fragment_id(identifier, "partial-qualification", partial.code),
            "type": ["ResultDescription"],
            "resultType": "Status",
            "name": f"{partial.code} " + " / ".join(getattr(partial, f"title_{language}") for language in languages),
        }
        for partial in claim.partial_qualifications
    ]
    competencies = [
        {
            "id": fragment_id(identifier, "competency", competency.code),
            "type": ["ResultDescription"],
            "resultType": "Status",
            "name": f"{competency.code} "
            + " / ".join(getattr(competency, f"text_{language}") for language in languages),
        }
        for competency in claim.competencies
    ]
    return partials + competencies


def achievement(claim: Claim, languages: tuple[str, str]) -> dict:
    """The claim as an Open Badges ``Achievement`` in a language pair (Open Badges allows one string:
    names joined by " / ", descriptions and criteria by a blank line; ``inLanguage`` the first)."""
    identifier = achievement_id(claim)
    return {
        "id": identifier,
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[claim.kind],
        # The verifier matches a file with the register by the qualification's code, on every kind.
        "humanCode": claim.qualification.code,
        "inLanguage": languages[0],
        "name": " / ".join(_in_pair(languages, lambda language: _name(claim, language))),
        "description": "\n\n".join(_in_pair(languages, lambda language: _description(claim, language))),
        "criteria": {"narrative": "\n\n".join(_in_pair(languages, lambda language: _criteria(claim, language)))},
        "alignment": _alignment(claim, languages),
        "resultDescription": _result_descriptions(claim, identifier, languages),
    }


def published_achievement(claim: Claim) -> dict:
    """The JSON-LD document an achievement's id answers."""
    return {"@context": [VC_V2_CONTEXT, OB3_CONTEXT], **achievement(claim, PUBLISHED_LANGUAGES)}
