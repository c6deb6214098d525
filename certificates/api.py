"""What the apps below ``certificates`` may call, with plain data where the models would leak.

``assessments`` must not import ``certificates`` otherwise (the import contracts check it): the
decision issues its proof through the functions here, and the documents this app keeps answer the
procedure's questions through ``DocumentsOfDecisions``, registered with ``assessments`` when
Django starts. See docs/decisions/0001-architecture.md and 0029.
"""

from collections.abc import Collection
from typing import Any

from django.core.files import File
from django.db.models import QuerySet

from assessments.api import Document
from assessments.models import Assessment
from audit.api import Actor
from qualifications.models import Competency

from . import services
from .access import get_credential, get_ready_proof, get_ready_supplement
from .credentials.issuing import CREDENTIAL_FILE_TYPES, credential_file
from .models import Certificate, SupplementVersion


def _document(certificate: Certificate) -> Document:
    return Document(
        assessment_id=certificate.assessment_id,
        kind=certificate.kind,
        number=certificate.number,
        issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at,
    )


def certificate_issue(*, assessment: Assessment, actor: Actor = None) -> Document:
    """``services.certificate_issue``: the proof of professional qualification of a certified assessment."""
    return _document(services.certificate_issue(assessment=assessment, actor=actor))


def partial_issue(*, assessment: Assessment, competencies: list[Competency], actor: Actor = None) -> Document:
    """``services.partial_issue``: the proof of partial qualification of a decision."""
    return _document(services.partial_issue(assessment=assessment, competencies=competencies, actor=actor))


def statement_issue(*, assessment: Assessment, competencies: list[Competency], actor: Actor = None) -> Document:
    """``services.statement_issue``: the proof of competencies of a decision."""
    return _document(services.statement_issue(assessment=assessment, competencies=competencies, actor=actor))


# Read through the module: ``services`` is still loading when ``assessments`` imports this one.
def supplement_open(*, actor: Actor, version: SupplementVersion) -> "File[bytes]":
    """``services.supplement_open``: the ready supplement's file, its download audited."""
    return services.supplement_open(actor=actor, version=version)


def proof_open(*, actor: Actor, version: SupplementVersion) -> "File[bytes]":
    """``services.proof_open``: the ready proof's file, its download audited."""
    return services.proof_open(actor=actor, version=version)


class DocumentsOfDecisions:
    """The answers ``assessments.api.Documents`` asks for, read from the certificates."""

    def of(self, assessment_ids: Collection[int]) -> dict[int, Document]:
        certificates = Certificate.objects.filter(assessment__in=assessment_ids).only(
            "assessment", "kind", "number", "issued_at", "revoked_at"
        )
        return {certificate.assessment_id: _document(certificate) for certificate in certificates}

    def revoked(self, of: Any = None) -> "QuerySet[Any, int]":
        # Read from the status index: revoked certificates are few; one assessment's from the
        # unique index on the assessment.
        revoked = Certificate.objects.filter(status=Certificate.Status.REVOKED)
        if of is not None:
            revoked = revoked.filter(assessment=of)
        return revoked.order_by().values_list("assessment", flat=True)

    def numbered(self, numbers: Collection[str]) -> "QuerySet[Any, int]":
        return Certificate.objects.filter(number__in=numbers).values_list("assessment", flat=True)


__all__ = [
    "CREDENTIAL_FILE_TYPES",
    "DocumentsOfDecisions",
    "certificate_issue",
    "credential_file",
    "get_credential",
    "get_ready_proof",
    "get_ready_supplement",
    "partial_issue",
    "proof_open",
    "statement_issue",
    "supplement_open",
]
