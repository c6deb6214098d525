"""Object access to certificates, in one place: what the user may act on, or a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Certificate, SupplementVersion


def get_certificate(user, pk: int) -> Certificate:
    return get_object_or_404(Certificate.objects.for_user(user).select_related("assessment"), pk=pk)


def get_ready_supplement(user, pk: int, number: int) -> SupplementVersion:
    """A ready supplement the user may download; a revoked certificate's only for administrators."""
    certificate = get_certificate(user, pk)
    if certificate.is_revoked and not user.is_administrator:
        raise Http404  # a revoked certificate's supplement is not handed out any more
    supplement = get_object_or_404(SupplementVersion, certificate=certificate, number=number,
                                   status=SupplementVersion.Status.READY)
    supplement.certificate = certificate
    return supplement


def get_supplement(user, pk: int, number: int) -> SupplementVersion:
    certificate = get_certificate(user, pk)
    supplement = get_object_or_404(SupplementVersion, certificate=certificate, number=number)
    supplement.certificate = certificate
    return supplement

