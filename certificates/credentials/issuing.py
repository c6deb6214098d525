"""The Open Badges 3.0 credential of a certificate (decision 0006)."""

import hashlib
import json
import secrets
from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import Action, audit_record

from ..badges import IMAGE_TYPES
from ..models import Certificate, CertificateCredential
from . import signing, status_list
from .baking import baked_badge
from .documents import ACHIEVEMENT_CREDENTIAL_SCHEMA, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT, VC_V2_CONTEXT

EQF_URL = "https://europa.eu/europass/en/description-eight-eqf-levels"
FLEMISH_LEVELS_URL = "https://www.vlaamsekwalificatiestructuur.be/"


def utc_timestamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def email_identity_hash(email: str, salt: str) -> str:
    """Open Badges' hashed identity: ``sha256$`` + hex SHA-256 of the address and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def _in_pair(languages: tuple[str, str], text_of) -> list[str]:
    texts = []
    for language in languages:
        with translation.override(language):
            texts.append(text_of(language))
    return texts


def _criteria(certificate: Certificate, languages: tuple[str, str]) -> list[str]:
    """What the credential says was proven, in each language of the pair: never more than the document."""
    codes = ", ".join(c.code for c in certificate.competencies.order_by("order"))
    if certificate.is_statement:
        # A proof of competencies claims only the competencies it lists.
        return _in_pair(
            languages,
            lambda _language: (
                _(
                    "Proof of competencies, not the full professional qualification, under the decree of "
                    "26 April 2019 on an integrated policy for the recognition of acquired competencies. "
                    "Competencies proven: %(codes)s."
                )
                % {"codes": codes}
            ),
        )
    if certificate.is_partial:
        # A proof of partial qualification claims only the partial qualifications it names.
        partials = certificate.partial_qualifications.order_by("order")
        return _in_pair(
            languages,
            lambda language: (
                _(
                    "Proof of partial qualification, not the full professional qualification, under the decree of "
                    "26 April 2019 on an integrated policy for the recognition of acquired competencies. Partial "
                    "qualifications obtained: %(partials)s. Competencies proven: %(codes)s."
                )
                % {
                    "partials": "; ".join(f"{p.code} {getattr(p, f'title_{language}')}" for p in partials),
                    "codes": codes,
                }
            ),
        )
    return _in_pair(
        languages,
        lambda _language: _(
            "Proof of professional qualification: every competency of the professional qualification proven in a "
            "recognition of acquired competencies (EVC) procedure, judged by two assessors, under the decree of "
            "26 April 2019 on an integrated policy for the recognition of acquired competencies."
        ),
    )


ACHIEVEMENT_TYPES = {
    Certificate.Kind.CERTIFICATE: "Certificate",
    Certificate.Kind.PARTIAL: "ext:PartialQualification",
    Certificate.Kind.STATEMENT: "Competency",
}


def _achievement(certificate: Certificate, languages: tuple[str, str]) -> dict:
    qualification = certificate.assessment.qualification
    achievement_id = settings.PORTAL_BASE_URL + reverse("qualifications:detail", args=[qualification.code])
    criteria = _criteria(certificate, languages)
    # A result for each competency the document proves: all of them only on the full proof.
    proven = certificate.competencies.all() if certificate.lists_competencies else qualification.competencies.all()
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[certificate.kind],
        "humanCode": qualification.code,
        "inLanguage": languages[0],
        "name": " / ".join(_in_pair(languages, lambda language: getattr(qualification, f"title_{language}"))),
        "description": "\n\n".join(
            _in_pair(languages, lambda language: getattr(qualification, f"definition_{language}"))
        ),
        "criteria": {"narrative": "\n\n".join(criteria)},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetType": "ext:FlemishQualificationLevel",
                "targetCode": str(qualification.flemish_level),
                "targetFramework": "Vlaamse kwalificatiestructuur",
                "targetName": f"Vlaamse kwalificatiestructuur, niveau {qualification.flemish_level}",
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
        ],
        "resultDescription": [
            {
                "id": f"{achievement_id}#competency-{competency.code}",
                "type": ["ResultDescription"],
                "resultType": "Status",
                "name": f"{competency.code} "
                + " / ".join(getattr(competency, f"text_{language}") for language in languages),
            }
            for competency in proven.order_by("order")
        ],
    }


def build_credential(credential: CertificateCredential) -> dict:
    """The unsigned OpenBadgeCredential of a certificate, in the credential's language pair."""
    certificate = credential.certificate
    achievement = _achievement(certificate, credential.languages)
    return {
        "@context": [VC_V2_CONTEXT, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT],
        "id": certificate.verification_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": {
            "id": signing.issuer_id(),
            "type": ["Profile"],
            "name": certificate.issuing_centre.name,  # the version that issued it, also when signed again
            "url": settings.PORTAL_BASE_URL,
        },
        "validFrom": utc_timestamp(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": credential.identity_hash,
                    "salt": credential.identity_salt,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                },
            ],
            "achievement": achievement,
            "result": [
                {"type": ["Result"], "resultDescription": description["id"], "status": "Completed"}
                for description in achievement["resultDescription"]
            ],
        },
        "credentialStatus": status_list.status_entry(credential.status_index),
        "credentialSchema": [{"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _new_credential(certificate: Certificate, languages: tuple[str, str], key) -> CertificateCredential:
    """A credential row with a fresh random status index (retried on the rare collision)."""
    for _attempt in range(20):
        try:
            with transaction.atomic():
                return CertificateCredential.objects.create(
                    certificate=certificate,
                    status_index=secrets.randbelow(status_list.LIST_SIZE),
                    identity_salt=secrets.token_hex(16),
                    first_language=languages[0],
                    second_language=languages[1],
                    key=key,
                    jwt="",
                    signed_at=timezone.now(),
                )
        except IntegrityError:
            existing = CertificateCredential.objects.filter(certificate=certificate).first()
            if existing is not None:  # a concurrent rendering created it first
                return existing
    raise RuntimeError("No free index in the status list.")


def credential_issue(*, certificate: Certificate, languages: tuple[str, str]) -> CertificateCredential | None:
    """Sign the certificate's credential in this language pair, as a VC-JWT and with a Data
    Integrity proof (decision 0020); idempotent.

    One credential per certificate, with a status index that never changes. It is signed again
    only when the language pair changed (its text did), or when it was signed before decision 0020
    (it has no Data Integrity form yet); a key rotation leaves it as it is, since the old keys stay
    published. None when a signing key is not configured.
    """
    jwt_key, proof_key = signing.jwt_key(), signing.proof_key()
    if jwt_key is None or proof_key is None:
        return None
    issuer_key = signing.register_key(jwt_key)
    signing.register_key(proof_key)
    credential = CertificateCredential.objects.filter(certificate=certificate).first()
    if credential is None:
        credential = _new_credential(certificate, languages, issuer_key)
    if credential.jwt and credential.data_integrity and credential.languages == tuple(languages):
        return credential
    credential.certificate = certificate
    if not credential.identity_hash:
        # Recorded at the first signing and kept: the credential names the holder as issued.
        credential.identity_hash = email_identity_hash(certificate.assessment.candidate.email, credential.identity_salt)
    credential.first_language, credential.second_language = languages
    credential.key, credential.signed_at = issuer_key, timezone.now()
    unsigned = build_credential(credential)
    credential.jwt = signing.sign(unsigned, jwt_key)
    credential.data_integrity = json.dumps(signing.with_proof(unsigned, proof_key), indent=2, ensure_ascii=False)
    credential.save(
        update_fields=[
            "identity_hash",
            "first_language",
            "second_language",
            "key",
            "signed_at",
            "jwt",
            "data_integrity",
        ]
    )
    return credential


# The holder's files (Open Badges 3.0, "File Format" and "Baked Badge"): the compact JWS, the
# JSON with its proof, and the badge image with the VC-JWT baked in (decision 0022).
CREDENTIAL_FILE_TYPES = {"jwt": "application/jwt", "json": "application/vc+ld+json", **IMAGE_TYPES}


def credential_file(*, actor, credential: CertificateCredential, extension: str) -> bytes | None:
    """The holder's credential file (``jwt``, ``json``, or a baked badge: ``png``, ``svg``),
    signed again first if it predates decision 0020; None when it cannot be. Every download of a
    personal file is audited."""
    if not credential.data_integrity:
        credential = credential_issue(certificate=credential.certificate, languages=credential.languages) or credential
    text = credential.jwt if extension in ("jwt", *IMAGE_TYPES) else credential.data_integrity
    if not text:
        return None
    content = baked_badge(credential, extension) if extension in IMAGE_TYPES else text.encode()
    audit_record(
        actor=actor,
        action=Action.FILE_DOWNLOADED,
        subject=credential.certificate.assessment,
        summary=credential.download_name(extension),
    )
    return content
