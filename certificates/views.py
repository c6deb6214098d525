from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.api import administrator_required
from portal.downloads import private_file_response
from portal.metrics import VERIFICATIONS
from portal.middleware import personal_data

from . import access, services, verification
from .forms import RerenderForm, RevokeForm
from .models import Certificate


def _report(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _download(request, version, open_file, *, download_name: str, content_type: str = "application/pdf"):
    """A version's file, opened (and audited) by its service for the person downloading it."""
    return private_file_response(
        lambda: open_file(actor=request.user, version=version), download_name=download_name, content_type=content_type
    )


@login_required
def supplement_download(request, pk: int, version: int):
    supplement = access.get_ready_supplement(request.user, pk, version)
    return _download(request, supplement, services.supplement_open, download_name=supplement.download_name)


@login_required
def proof_download(request, pk: int, version: int):
    proof = access.get_ready_proof(request.user, pk, version)
    return _download(request, proof, services.proof_open, download_name=proof.proof_download_name)


@login_required
def documents_download(request, pk: int, version: int):
    """The proof and its supplement together, as one ZIP archive."""
    documents = access.get_ready_proof(request.user, pk, version)
    return _download(
        request,
        documents,
        services.documents_open,
        download_name=documents.documents_download_name,
        content_type="application/zip",
    )


@never_cache
@login_required
def certificate_panel_fragment(request, pk: int):
    """The certificate box alone; the assessment page polls it while a rendering is pending."""
    certificate = access.get_certificate(request.user, pk)
    return render(request, "certificates/panel_fragment.html", {"assessment": certificate.assessment})


@require_POST
@administrator_required
def certificate_revoke(request, pk: int):
    certificate = access.get_certificate(request.user, pk)
    form = RevokeForm(request.POST)
    form.is_valid()
    try:
        services.certificate_revoke(
            certificate=certificate, actor=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("The proof was revoked."))
    return redirect("assessments:detail", pk=certificate.assessment_id)


@require_POST
@administrator_required
def supplement_rerender(request, pk: int):
    certificate = access.get_certificate(request.user, pk)
    form = RerenderForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("assessments:detail", pk=certificate.assessment_id)
    try:
        services.supplement_rerender(certificate=certificate, actor=request.user, languages=form.languages())
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("A new version of the supplement is being rendered."))
    return redirect("assessments:detail", pk=certificate.assessment_id)


@require_POST
@administrator_required
def supplement_retry(request, pk: int, version: int):
    supplement = access.get_supplement(request.user, pk, version)
    try:
        services.supplement_retry(version=supplement, actor=request.user)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("The rendering was sent to the worker again."))
    return redirect("assessments:detail", pk=supplement.certificate.assessment_id)


@personal_data
def verify(request, code: str):
    """Public: valid or revoked, with the minimum of personal data. An unknown code is a 404 that
    says so plainly: a verifier must not mistake it for a broken site."""
    certificate = Certificate.objects.select_related("assessment__qualification").filter(verification_code=code).first()
    if certificate is None:
        VERIFICATIONS.labels(kind="page", verdict="unknown").inc()
        return render(request, "certificates/verify_unknown.html", status=404)
    VERIFICATIONS.labels(kind="page", verdict="revoked" if certificate.is_revoked else "valid").inc()
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "qualification": certificate.assessment.qualification,
            "note": verification.document_note(certificate),
            "competencies": verification.listed_competencies(certificate),
            "partial_qualifications": verification.listed_partial_qualifications(certificate),
            "base_url": settings.PORTAL_BASE_URL,
            "max_size": settings.VERIFY_MAX_UPLOAD_SIZE,
        },
    )
