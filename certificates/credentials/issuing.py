"""The Open Badges 3.0 credential of a certificate (decision 0006)."""

import hashlib
import json
import secrets
from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.api import Action, audit_record

from ..badges import IMAGE_TYPES
from ..models import Certificate, CertificateCredential
from . import achievements, signing, status_list
from .baking import baked_badge
from .documents import ACHIEVEMENT_CREDENTIAL_SCHEMA, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT, VC_V2_CONTEXT


def utc_timestamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def email_identity_hash(email: str, salt: str) -> str:
    """Open Badges' hashed identity: ``sha256$`` + hex SHA-256 of the address and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def build_credential(credential: CertificateCredential) -> dict:
    """The unsigned OpenBadgeCredential of a certificate, in the credential's language pair."""
    certificate = credential.certificate
    achievement = achievements.achievement(achievements.certificate_claim(certificate), credential.languages)
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


def _signed_credential(credential: CertificateCredential) -> dict | None:
    """What the stored credential says (its Data Integrity form without the proof), or None when it
    has not been signed in both forms."""
    if not credential.jwt or not credential.data_integrity:
        return None
    return {name: value for name, value in json.loads(credential.data_integrity).items() if name != "proof"}


def credential_issue(*, certificate: Certificate, languages: tuple[str, str]) -> CertificateCredential | None:
    """Sign the certificate's credential in this language pair, as a VC-JWT and with a Data
    Integrity proof (decision 0020); idempotent.

    One credential per certificate, with an id and a status index that never change. It is signed
    again only when what it says changed: another language pair, claims made truer (decision 0021),
    or no Data Integrity form yet (signed before decision 0020); a key rotation leaves it as it is,
    since the old keys stay published. None when a signing key is not configured.
    """
    jwt_key, proof_key = signing.jwt_key(), signing.proof_key()
    if jwt_key is None or proof_key is None:
        return None
    issuer_key = signing.register_key(jwt_key)
    signing.register_key(proof_key)
    credential = CertificateCredential.objects.filter(certificate=certificate).first()
    if credential is None:
        credential = _new_credential(certificate, languages, issuer_key)
    signed = _signed_credential(credential) if credential.languages == tuple(languages) else None
    # Built for the comparison only when there is something to compare: a new credential is built once.
    if signed is not None and signed == build_credential(credential):
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
    """The holder's credential file (``jwt``, ``json``, or a baked badge: ``png``, ``svg``), signed
    again first if what it says changed since it was signed (``credential_issue``); None when it
    cannot be. Every download of a personal file is audited."""
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
