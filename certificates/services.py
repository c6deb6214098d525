"""Issuing, re-rendering and revoking certificates (rule 6 of the procedure)."""

import hashlib
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import candidate_full_name
from accounts.models import User
from assessments.api import assessment_locked
from assessments.models import Assessment
from audit.api import Action, Actor, audit_record
from portal.downloads import zip_stream
from portal.metrics import RENDER_SECONDS, RENDERS
from portal.outbox import Outbox
from portal.storage import private_storage
from qualifications.api import ProofDue, proof_due
from qualifications.models import Competency, PartialQualification

from .models import Certificate, CertificateCounter, IssuingCentre, SupplementVersion
from .signals import document_issued, document_ready, document_revoked

VersionStatus = SupplementVersion.Status
# A render that started this long ago and never finished belongs to a dead worker.
STALE_RENDER_AFTER = timedelta(minutes=10)


def _next_sequence(qualification_code: str, year: int) -> int:
    counter, _created = CertificateCounter.objects.select_for_update().get_or_create(
        qualification_code=qualification_code, year=year
    )
    counter.last_sequence = F("last_sequence") + 1
    counter.save(update_fields=["last_sequence"])
    counter.refresh_from_db(fields=["last_sequence"])
    return counter.last_sequence


def issuing_centre() -> IssuingCentre:
    """The test centre that issues new certificates; issuing without one is refused."""
    centre = IssuingCentre.objects.current()
    if centre is None:
        raise ValidationError(
            _(
                "No issuing centre is configured: an administrator must enter the test centre's name, address "
                "and recognition number (Administration, Issuing centres) before a proof can be issued."
            ),
            code="issuing_centre_missing",
        )
    return centre


# What a version of the issuing centre prints; any change of it makes a new version.
CENTRE_FIELDS = ("name", "address", "recognition_number")


def _centre_fields(name: str, address: str, recognition_number: str) -> dict[str, str]:
    """The printed fields as stored: an address is its non-empty lines, whatever line breaks the
    browser sent, so that saving a form unchanged is no change."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    return {"name": name.strip(), "address": "\n".join(lines), "recognition_number": recognition_number.strip()}


def issuing_centre_enter(*, actor: Actor, name: str, address: str, recognition_number: str) -> IssuingCentre:
    """The test centre entered for the first time: its version 1, current at once.

    Refused while a centre is current: a change of the current centre is a new version of it
    (``issuing_centre_revise``), so that documents issued before keep what they printed.
    """
    with transaction.atomic():
        # Checked here for its message; a concurrent second entry is refused by one_current_issuing_centre.
        if IssuingCentre.objects.current() is not None:
            raise ValidationError(
                _("The issuing centre is already entered: change it, which makes a new version."),
                code="issuing_centre_entered",
            )
        typed = _centre_fields(name, address, recognition_number)
        centre = IssuingCentre(**typed, entered_at=timezone.now())
        centre.full_clean()
        centre.save()
        audit_record(actor=actor, action=Action.ISSUING_CENTRE_ENTERED, subject=centre, summary=str(centre), **typed)
    return centre


def issuing_centre_revise(
    *, actor: Actor, centre: IssuingCentre, name: str, address: str, recognition_number: str
) -> IssuingCentre:
    """Change the current issuing centre: a new version that replaces it, and the one current.

    The version replaced is left as it was, so the documents it issued keep its name, address and
    number, also when rendered again. Idempotent: when nothing changed, ``centre`` is returned
    and nothing is written. Only the current version is revised (one version replaces another,
    enforced by the one-to-one ``previous``); the version locked here makes a concurrent revision
    wait and then find it replaced.
    """
    typed = _centre_fields(name, address, recognition_number)
    with transaction.atomic():
        replaced = IssuingCentre.objects.select_for_update().get(pk=centre.pk)
        if not replaced.is_current:
            raise ValidationError(
                _("Only the current version of the issuing centre can be changed."), code="issuing_centre_replaced"
            )
        stored = _centre_fields(replaced.name, replaced.address, replaced.recognition_number)
        changed = {field: [stored[field], value] for field, value in typed.items() if stored[field] != value}
        if not changed:
            return replaced
        IssuingCentre.objects.filter(pk=replaced.pk).update(is_current=False)
        revised = IssuingCentre(
            **typed, version=replaced.version + 1, previous=replaced, is_current=True, entered_at=timezone.now()
        )
        revised.full_clean()
        revised.save()
        audit_record(
            actor=actor,
            action=Action.ISSUING_CENTRE_REVISED,
            subject=revised,
            summary=str(revised),
            replaces=replaced.pk,
            changed=changed,
        )
    return revised


def _holder_birth_date(candidate: User) -> date | None:
    if not settings.CERTIFICATE_SHOWS_DATE_OF_BIRTH:
        return None
    return candidate.date_of_birth


def certificate_issue(*, assessment: Assessment, actor: Actor = None) -> Certificate:
    """Issue the certificate of a certified assessment and queue its supplement.

    Idempotent: an assessment has at most one certificate (a unique column guards it), and
    calling this again returns the existing one; a re-assessment chain never issues a second
    one, nor does a holder who already has a valid certificate of the qualification (assessments
    stored before one open assessment per qualification was enforced may both end certified).
    Runs inside the caller's transaction, so the
    decision and the certificate commit together; the rendering is queued after the commit. When
    the certificate cannot be issued (no holder name, no issuing centre) the ValidationError
    rolls the caller's transaction back too: the decision is never recorded without its
    certificate, and the person submitting sees why.
    """
    with transaction.atomic():
        assessment = _locked(assessment)
        existing = Certificate.objects.filter(assessment=assessment, kind=Certificate.Kind.CERTIFICATE).first()
        if existing is not None:
            return existing
        if assessment.status != Assessment.Status.CERTIFIED:
            raise ValidationError(
                _("Only a certified assessment gets a proof of professional qualification."), code="not_certified"
            )
        chain = [link.pk for link in assessment.chain()]
        if Certificate.objects.filter(assessment__in=chain, kind=Certificate.Kind.CERTIFICATE).exists():
            raise ValidationError(
                _("This re-assessment chain already issued its proof of professional qualification."),
                code="chain_certified",
            )
        _check_not_held(assessment)
        return _issue(assessment, actor=actor, kind=Certificate.Kind.CERTIFICATE, series=assessment.qualification.code)


def _check_not_held(assessment: Assessment) -> None:
    """One valid certificate per holder and qualification; a revoked one does not count."""
    held = Certificate.objects.filter(
        kind=Certificate.Kind.CERTIFICATE,
        status=Certificate.Status.ISSUED,
        assessment__candidate=assessment.candidate_id,
        assessment__qualification=assessment.qualification_id,
    )
    if held.exists():
        raise ValidationError(
            _("The candidate already holds a proof of professional qualification for this qualification."),
            code="already_certified",
        )


def statement_issue(*, assessment: Assessment, competencies: list[Competency], actor: Actor = None) -> Certificate:
    """Issue the proof of competencies (statement) of a decision that is not a certification.

    ``competencies`` are those proven, in this assessment and carried over from its chain; the
    statement lists them for good. Refused when they complete a partial qualification (that
    decision issues the proof of partial qualification). Idempotent like ``certificate_issue``;
    a series of its own (``0213-C-2026-000007``).
    """
    with transaction.atomic():
        assessment = _locked(assessment)
        if (existing := _existing(assessment, Certificate.Kind.STATEMENT)) is not None:
            return existing
        if _proof_due(assessment, competencies).kind == Certificate.Kind.PARTIAL:
            raise ValidationError(
                _("These competencies complete a partial qualification: the decision issues its proof."),
                code="partial_due",
            )
        statement = _issue(
            assessment,
            actor=actor,
            kind=Certificate.Kind.STATEMENT,
            series=f"{assessment.qualification.code}-C",
            competencies=competencies,
        )
    return statement


def partial_issue(*, assessment: Assessment, competencies: list[Competency], actor: Actor = None) -> Certificate:
    """Issue the one proof of partial qualification of a decision that is not a certification.

    ``competencies`` are those proven in the chain; the proof names every partial qualification
    they complete (``proof_due``) and lists those partial qualifications' competencies, both fixed
    at issuance. Idempotent like ``certificate_issue``; a series of its own (``0213-D-2026-000003``).
    """
    with transaction.atomic():
        assessment = _locked(assessment)
        if (existing := _existing(assessment, Certificate.Kind.PARTIAL)) is not None:
            return existing
        due = _proof_due(assessment, competencies)
        if due.kind != Certificate.Kind.PARTIAL:
            raise ValidationError(
                _("These competencies complete no partial qualification of the qualification."),
                code="no_partial_qualification",
            )
        covered = {c.pk for partial in due.partial_qualifications for c in partial.competencies.all()}
        proof = _issue(
            assessment,
            actor=actor,
            kind=Certificate.Kind.PARTIAL,
            series=f"{assessment.qualification.code}-D",
            competencies=[c for c in competencies if c.pk in covered],
            partial_qualifications=due.partial_qualifications,
        )
    return proof


# A proof of partial qualification or of competencies comes only with a decision "not certified".
NOT_CERTIFIED_ONLY: dict[str, tuple[Callable[[], str], str]] = {
    Certificate.Kind.STATEMENT: (
        lambda: _("Only a decision that is not a certification gets a proof of competencies."),
        "not_statement",
    ),
    Certificate.Kind.PARTIAL: (
        lambda: _("Only a decision that is not a certification gets a proof of partial qualification."),
        "not_partial",
    ),
}


def _existing(assessment: Assessment, kind: str) -> Certificate | None:
    """The document of this kind the locked assessment already has; none yet, it must be due one."""
    existing = Certificate.objects.filter(assessment=assessment, kind=kind).first()
    if existing is None and assessment.status != Assessment.Status.NOT_CERTIFIED:
        message, code = NOT_CERTIFIED_ONLY[kind]
        raise ValidationError(message(), code=code)
    return existing


def _proof_due(assessment: Assessment, competencies: list[Competency]) -> ProofDue:
    """The proof these proven competencies call for; at least one, all of the qualification."""
    proven = {c.pk for c in competencies}
    standard = set(assessment.qualification.competencies.values_list("pk", flat=True))
    if not proven or not proven <= standard:
        raise ValidationError(
            _("A proof lists at least one proven competency of the qualification."), code="no_competencies"
        )
    return proof_due(qualification_id=assessment.qualification_id, proven=proven)


def _locked(assessment: Assessment) -> Assessment:
    # Lock the assessment: a concurrent call waits here, then finds the document.
    return assessment_locked(assessment.pk)


def _issue(
    assessment: Assessment,
    *,
    actor: Actor,
    kind: str,
    series: str,
    competencies: Sequence[Competency] = (),
    partial_qualifications: Sequence[PartialQualification] = (),
) -> Certificate:
    issued_at = timezone.now()
    year = timezone.localdate(issued_at).year
    candidate = assessment.candidate
    name = candidate_full_name(candidate)
    centre = issuing_centre()
    sequence = _next_sequence(series, year)
    first, second = settings.SUPPLEMENT_DEFAULT_LANGUAGES
    certificate = Certificate.objects.create(
        assessment=assessment,
        kind=kind,
        number=f"{series}-{year}-{sequence:06d}",
        year=year,
        sequence=sequence,
        holder_name=name,
        holder_birth_date=_holder_birth_date(candidate),
        issuing_centre=centre,
        issued_at=issued_at,
        first_language=first,
        second_language=second,
    )
    if competencies:
        certificate.competencies.set(competencies)
    if partial_qualifications:
        certificate.partial_qualifications.set(partial_qualifications)
    actions: dict[str, str] = {
        Certificate.Kind.STATEMENT: Action.STATEMENT_ISSUED,
        Certificate.Kind.PARTIAL: Action.PARTIAL_ISSUED,
    }
    action = actions.get(kind, Action.CERTIFICATE_ISSUED)
    audit_record(
        actor=actor,
        action=action,
        subject=assessment,
        summary=certificate.number,
        certificate_id=certificate.pk,
        competencies=[c.code for c in competencies],
        partial_qualifications=[p.code for p in partial_qualifications],
    )
    supplement_queue(certificate=certificate, actor=actor)
    document_issued.send(sender=Certificate, certificate=certificate)
    return certificate


def supplement_queue(
    *, certificate: Certificate, actor: Actor = None, languages: tuple[str, str] | None = None
) -> SupplementVersion:
    """Add a supplement version and send it to the worker once the transaction commits.

    ``languages`` defaults to the certificate's pair; another pair becomes the certificate's pair.
    """
    first, second = languages or certificate.languages
    if first == second:
        raise ValidationError(
            {"languages": ValidationError(_("Choose two different languages."), code="same_language")}
        )
    with transaction.atomic():
        # The UPDATE also locks the certificate row: concurrent versions get distinct numbers.
        Certificate.objects.filter(pk=certificate.pk).update(first_language=first, second_language=second)
        certificate.first_language, certificate.second_language = first, second
        number = (certificate.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = SupplementVersion.objects.create(
            certificate=certificate,
            number=number,
            first_language=first,
            second_language=second,
            queued_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=Action.SUPPLEMENT_QUEUED,
            subject=certificate.assessment,
            summary=f"{certificate.number} v{number} {first}/{second}",
            version_id=version.pk,
        )
        transaction.on_commit(lambda: send_to_worker(version.pk))
    return version


# Each version asks for its rendering; ``sent_at`` records when its message last reached the broker.
RENDERINGS = Outbox(
    model=SupplementVersion,
    task="certificates.tasks.render_supplement",
    handed_at="sent_at",
    noun="supplement version(s)",
)


def send_to_worker(version_id: int) -> bool:
    """Hand the rendering to the worker. A broker that is down loses nothing: the version stays
    queued and the periodic sweep (``queue_pending_supplements``) sends it again later."""
    return RENDERINGS.publish([version_id]) == 1


def supplements_to_resend() -> list[int]:
    """Versions whose message may be lost: queued but not sent for a while (broker down), or
    stuck "rendering" with a dead worker. Each is sent at most once per waiting period, so a
    backlog does not pile up duplicate messages."""
    now = timezone.now()
    waited = now - timedelta(seconds=settings.SUPPLEMENT_REQUEUE_AFTER_SECONDS)
    return RENDERINGS.stale(
        Q(status=VersionStatus.QUEUED, queued_at__lt=waited)
        | Q(status=VersionStatus.RENDERING, started_at__lt=now - STALE_RENDER_AFTER),
        waited=waited,
    )


def supplement_retry(*, version: SupplementVersion, actor: Actor) -> SupplementVersion:
    """An administrator sends a failed rendering to the worker again."""
    with transaction.atomic():
        updated = SupplementVersion.objects.filter(pk=version.pk, status=VersionStatus.FAILED).update(
            status=VersionStatus.QUEUED, queued_at=timezone.now(), error=""
        )
        if not updated:
            raise ValidationError(_("Only a failed rendering can be retried."), code="not_failed")
        audit_record(
            actor=actor,
            action=Action.SUPPLEMENT_QUEUED,
            subject=version.certificate.assessment,
            summary=f"{version.certificate.number} v{version.number} retry",
            version_id=version.pk,
        )
        transaction.on_commit(lambda: send_to_worker(version.pk))
    version.refresh_from_db()
    return version


def supplement_rerender(*, certificate: Certificate, actor: Actor, languages: tuple[str, str]) -> SupplementVersion:
    if certificate.is_revoked:
        raise ValidationError(_("A revoked proof is not rendered again."), code="revoked")
    return supplement_queue(certificate=certificate, actor=actor, languages=languages)


def certificate_revoke(*, certificate: Certificate, actor: Actor, reason: str) -> Certificate:
    """Revocation keeps the certificate and its files; verification then says "revoked"."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason for revoking the proof."), code="no_reason")}
        )
    with transaction.atomic():
        updated = Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.ISSUED).update(
            status=Certificate.Status.REVOKED, revoked_at=timezone.now(), revocation_reason=reason
        )
        if not updated:
            raise ValidationError(_("This proof is already revoked."), code="already_revoked")
        audit_record(
            actor=actor,
            action=Action.CERTIFICATE_REVOKED,
            subject=certificate.assessment,
            summary=certificate.number,
            reason=reason,
        )
        document_revoked.send(sender=Certificate, certificate=certificate)
    certificate.refresh_from_db()
    return certificate


def _open_audited(
    *, actor: Actor, version: SupplementVersion, file: FieldFile, summary: str, action: str = Action.FILE_DOWNLOADED
) -> "File[bytes]":
    handle: File[bytes] = file.open("rb")  # a missing file raises here: nothing is recorded
    audit_record(
        actor=actor, action=action, subject=version.certificate.assessment, summary=summary, version_id=version.pk
    )
    return handle


def supplement_open(*, actor: Actor, version: SupplementVersion) -> "File[bytes]":
    """Open a rendered supplement for download; every download of a personal file is audited."""
    return _open_audited(
        actor=actor,
        version=version,
        file=version.file,
        summary=version.download_name,
        action=Action.SUPPLEMENT_DOWNLOADED,
    )


def proof_open(*, actor: Actor, version: SupplementVersion) -> "File[bytes]":
    """Open a version's proof of professional qualification for download, audited."""
    return _open_audited(actor=actor, version=version, file=version.proof_file, summary=version.proof_download_name)


def documents_open(*, actor: Actor, version: SupplementVersion) -> Iterator[bytes]:
    """The proof and its supplement in one ZIP archive, streamed; audited as one download.

    Both files are opened before the download is recorded: a missing one raises FileNotFoundError
    and nothing is recorded.
    """
    proof = version.proof_file.open("rb")
    try:
        supplement = version.file.open("rb")
    except FileNotFoundError:
        proof.close()
        raise
    audit_record(
        actor=actor,
        action=Action.FILE_DOWNLOADED,
        subject=version.certificate.assessment,
        summary=version.documents_download_name,
        version_id=version.pk,
        documents=[version.proof_download_name, version.download_name],
    )
    written = timezone.localtime(version.rendered_at or timezone.now())
    return zip_stream([(version.proof_download_name, proof), (version.download_name, supplement)], written)


# --- Rendering (runs in the worker only) ----------------------------------------------------


def _claim(version_id: int, attempt_id: str) -> bool:
    stale = timezone.now() - STALE_RENDER_AFTER
    return bool(
        SupplementVersion.objects.filter(pk=version_id)
        .filter(
            Q(status__in=[VersionStatus.QUEUED, VersionStatus.FAILED])
            | Q(status=VersionStatus.RENDERING, claimed_by=attempt_id)
            | Q(status=VersionStatus.RENDERING, started_at__lt=stale)
        )
        .update(
            status=VersionStatus.RENDERING, claimed_by=attempt_id, started_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    size: int


def _rendered_documents(version: SupplementVersion) -> dict[str, bytes]:
    """Each document of the version, its credential embedded and sealed, by the field that stores
    it: the supplement (or the statement) and, for a certificate, the proof."""
    from .packaging import supplement_finish
    from .rendering import render_proof_pdf, render_supplement_pdf

    documents = {"": supplement_finish(version, render_supplement_pdf(version))}
    if version.certificate.has_proof_document:
        documents["proof_"] = supplement_finish(version, render_proof_pdf(version))
    return documents


def _store(documents: dict[str, bytes]) -> dict[str, StoredFile]:
    """Write every document under a fresh name; if one cannot be written, none stays behind."""
    folders = {"": "supplements", "proof_": "proofs"}
    stored: dict[str, StoredFile] = {}
    try:
        for prefix, pdf in documents.items():
            name = private_storage.save(f"{folders[prefix]}/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
            stored[prefix] = StoredFile(name, hashlib.sha256(pdf).hexdigest(), len(pdf))
    except Exception:
        _delete(stored)
        raise
    return stored


def _delete(stored: dict[str, StoredFile]) -> None:
    for item in stored.values():
        private_storage.delete(item.name)


def supplement_render(*, version_id: int, attempt_id: str) -> bool:
    """Render one version's documents; idempotent.

    A version already ready, or being rendered by another live delivery, is left alone. The
    PDFs (a certificate's proof and supplement, or a statement) are rendered outside any
    transaction and written under fresh names; only the delivery that still holds the claim marks
    the version ready, with every file in one UPDATE, so a duplicate never overwrites a file and a
    version is never ready with one document of two. A failure in any render marks it failed with
    nothing stored. Returns True when this call produced the files.
    """
    from .rendering import RENDERER_VERSION

    if not _claim(version_id, attempt_id):
        return False
    version = SupplementVersion.objects.select_related(
        "certificate__assessment__qualification", "certificate__issuing_centre"
    ).get(pk=version_id)
    started = time.monotonic()
    try:
        documents = _rendered_documents(version)
    except Exception as error:
        RENDERS.labels(outcome="failed").inc()
        SupplementVersion.objects.filter(pk=version_id, claimed_by=attempt_id).update(
            status=VersionStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    RENDER_SECONDS.observe(time.monotonic() - started)
    RENDERS.labels(outcome="rendered").inc()
    stored = _store(documents)
    files = {}
    for prefix, item in stored.items():
        files.update({f"{prefix}file": item.name, f"{prefix}sha256": item.sha256, f"{prefix}size": item.size})
    finished = SupplementVersion.objects.filter(
        pk=version_id, status=VersionStatus.RENDERING, claimed_by=attempt_id
    ).update(
        status=VersionStatus.READY,
        rendered_at=timezone.now(),
        renderer_version=RENDERER_VERSION,
        error="",
        **files,
    )
    if not finished:
        _delete(stored)
    else:
        document_ready.send(sender=SupplementVersion, version=version)
    return bool(finished)
