from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assessments import audit
from assessments.access import administrator_required
from portal.downloads import private_file_response

from . import services
from .forms import RerenderForm, RevokeForm
from .models import Certificate, SupplementVersion
from .selectors import certificate_panel


def _certificate(user, pk: int) -> Certificate:
    return get_object_or_404(Certificate.objects.for_user(user).select_related("assessment"), pk=pk)


@login_required
def supplement_download(request, pk: int, version: int):
    certificate = _certificate(request.user, pk)
    if certificate.is_revoked and not request.user.is_administrator:
        raise Http404  # a revoked certificate's supplement is not handed out any more
    supplement = get_object_or_404(SupplementVersion, certificate=certificate, number=version,
                                   status=SupplementVersion.Status.READY)
    response = private_file_response(supplement.file, download_name=supplement.download_name,
                                     content_type="application/pdf")
    audit.record(actor=request.user, action=audit.Action.SUPPLEMENT_DOWNLOADED,
                 assessment_id=certificate.assessment_id, summary=supplement.download_name, version_id=supplement.pk)
    return response


@never_cache
@login_required
def certificate_panel_fragment(request, pk: int):
    """The certificate box alone; the assessment page polls it while a rendering is pending."""
    certificate = _certificate(request.user, pk)
    panel = certificate_panel(certificate.assessment, request.user)
    return render(request, "certificates/panel.html", {"certificate": panel, "assessment": certificate.assessment})


@require_POST
@administrator_required
def certificate_revoke(request, pk: int):
    certificate = _certificate(request.user, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the certificate."))
    else:
        try:
            services.certificate_revoke(certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The certificate was revoked."))
    return redirect("assessments:detail", pk=certificate.assessment_id)


@require_POST
@administrator_required
def supplement_rerender(request, pk: int):
    certificate = _certificate(request.user, pk)
    form = RerenderForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.supplement_rerender(certificate=certificate, actor=request.user, languages=form.languages())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("A new version of the supplement is being rendered."))
    return redirect("assessments:detail", pk=certificate.assessment_id)


@require_POST
@administrator_required
def supplement_retry(request, pk: int, version: int):
    certificate = _certificate(request.user, pk)
    supplement = get_object_or_404(SupplementVersion, certificate=certificate, number=version)
    try:
        services.supplement_retry(version=supplement, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The rendering was sent to the worker again."))
    return redirect("assessments:detail", pk=certificate.assessment_id)


@never_cache
def verify(request, code: str):
    """Public: valid or revoked, with the minimum of personal data. Unknown codes are a plain 404."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("assessment__qualification"), verification_code=code
    )
    return render(request, "certificates/verify.html", {
        "certificate": certificate, "qualification": certificate.assessment.qualification,
        "base_url": settings.PORTAL_BASE_URL,
    })
