from dataclasses import dataclass

from assessments.models import Assessment

from .models import Certificate, SupplementVersion

PENDING = (SupplementVersion.Status.QUEUED, SupplementVersion.Status.RENDERING)


@dataclass
class CertificatePanel:
    """What the certificate box of an assessment page shows to this user."""

    certificate: Certificate
    versions: list[SupplementVersion]
    can_manage: bool

    @property
    def latest_ready(self) -> SupplementVersion | None:
        return next((v for v in self.versions if v.is_ready), None)

    @property
    def pending(self) -> bool:
        return any(v.status in PENDING for v in self.versions)


def certificate_panel(assessment: Assessment, user) -> CertificatePanel | None:
    certificate = (
        Certificate.objects.for_user(user).filter(assessment=assessment).prefetch_related("versions").first()
    )
    if certificate is None:
        return None
    versions = sorted(certificate.versions.all(), key=lambda v: -v.number)
    return CertificatePanel(certificate, versions, can_manage=user.is_administrator)
