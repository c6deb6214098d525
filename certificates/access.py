"""Object access to certificates, in one place: what the user may act on, or a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Certificate, CertificateCredential, SupplementVersion


def get_certificate(user, pk: int) -> Certificate:
    return get_object_or_404(Certificate.objects.for_user(user).select_related("assessment"), pk=pk)


def _handed_out_certificate(user, pk: int) -> Certificate:
    certificate = get_certificate(user, pk)
    if certificate.is_revoked and not user.is_administrator:
        raise Http404  # a revoked certificate's files are not handed out any more
    return certificate


def get_ready_supplement(user, pk: int, number: int) -> SupplementVersion:
    """A ready supplement the user may download; a revoked certificate's only for administrators."""
    certificate = _handed_out_certificate(user, pk)
    supplement = get_object_or_404(
        SupplementVersion, certificate=certificate, number=number, status=SupplementVersion.Status.READY
    )
    supplement.certificate = certificate
    return supplement


def get_ready_proof(user, pk: int, number: int) -> SupplementVersion:
    """A ready version with a proof of professional qualification, on the supplement's terms."""
    version = get_ready_supplement(user, pk, number)
    if not version.has_proof:
        raise Http404
    return version


def get_supplement(user, pk: int, number: int) -> SupplementVersion:
    certificate = get_certificate(user, pk)
    supplement = get_object_or_404(SupplementVersion, certificate=certificate, number=number)
    supplement.certificate = certificate
    return supplement


def get_credential(user, pk: int) -> CertificateCredential:
    """The signed credential the user may download, on the same terms as the supplement."""
    certificate = _handed_out_certificate(user, pk)
    credential = get_object_or_404(CertificateCredential, certificate=certificate)
    credential.certificate = certificate
    return credential
