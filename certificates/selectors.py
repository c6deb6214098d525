from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment

from . import badges
from .models import Certificate, SupplementVersion
from .sharing import linkedin_add_url

PENDING = (SupplementVersion.Status.QUEUED, SupplementVersion.Status.RENDERING)


@dataclass
class LanguagePair:
    """The ready versions of one pair of languages, newest first."""

    first_language: str
    second_language: str
    versions: list[SupplementVersion]


@dataclass
class CertificatePanel:
    """What the certificate box of an assessment page shows to this user."""

    certificate: Certificate
    versions: list[SupplementVersion]  # newest first
    can_manage: bool

    @property
    def latest_ready(self) -> SupplementVersion | None:
        return next((v for v in self.versions if v.is_ready), None)

    @property
    def ready_by_languages(self) -> list[LanguagePair]:
        """Every ready version, grouped by language pair: a newer rendering never hides an older one."""
        pairs: dict[tuple[str, str], LanguagePair] = {}
        for version in self.versions:
            if version.is_ready:
                key = (version.first_language, version.second_language)
                pairs.setdefault(key, LanguagePair(*key, versions=[])).versions.append(version)
        return list(pairs.values())

    @property
    def several_ready(self) -> bool:
        return sum(v.is_ready for v in self.versions) > 1

    @property
    def pending(self) -> bool:
        return any(v.status in PENDING for v in self.versions)

    @property
    def preparing_first(self) -> bool:
        """A version is on its way and none is ready yet: the only case for "please wait"."""
        return self.pending and self.latest_ready is None

    @property
    def badge_url(self) -> str:
        """The achievement's badge image, in the languages of the holder's credential."""
        certificate = self.certificate
        code = certificate.assessment.qualification.code
        return badges.badge_path(code, certificate.kind, certificate.credential.languages, "svg")

    @property
    def achievement_url(self) -> str:
        return badges.achievement_path(self.certificate.assessment.qualification.code, self.certificate.kind)

    @property
    def linkedin_url(self) -> str:
        return linkedin_add_url(self.certificate)

    @property
    def overdue(self) -> list[SupplementVersion]:
        """Versions queued or rendering for longer than expected: the worker may be down."""
        limit = timezone.now() - timedelta(seconds=settings.SUPPLEMENT_EXPECTED_SECONDS)
        return [v for v in self.versions if v.status in PENDING and v.queued_at < limit]


def certificate_panel(assessment: Assessment, user: User) -> CertificatePanel | None:
    certificate = Certificate.objects.for_user(user).filter(assessment=assessment).prefetch_related("versions").first()
    if certificate is None:
        return None
    versions = sorted(certificate.versions.all(), key=lambda v: -v.number)
    return CertificatePanel(certificate, versions, can_manage=user.is_administrator)
