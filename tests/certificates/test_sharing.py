"""What the holder shows elsewhere: the badge, the LinkedIn link and the achievement's page on the
panel (decision 0022)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone, translation

from certificates import services
from certificates.credentials.issuing import credential_issue
from certificates.models import Certificate
from certificates.sharing import linkedin_add_url

from .. import flows
from .badge_helpers import PAGE

pytestmark = pytest.mark.django_db


def test_the_linkedin_link_carries_name_issuer_date_number_and_verification_link(client, proof, administrator):
    centre = proof.issuing_centre
    services.issuing_centre_revise(
        actor=administrator, centre=centre, name="Nieuwe naam", address=centre.address, recognition_number="X"
    )
    with translation.override("nl"):
        url = linkedin_add_url(Certificate.objects.get(pk=proof.pk))
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    issued_at = timezone.localtime(proof.issued_at)
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Bewijs van beroepskwalificatie — Contactcenteroperator (0213)"],
        "organizationName": [centre.name],  # the centre as it issued the proof
        "issueYear": [str(issued_at.year)],
        "issueMonth": [str(issued_at.month)],
        "certUrl": [proof.verification_url],
        "certId": [proof.number],
    }


def test_the_holder_finds_the_badge_the_linkedin_link_and_the_achievement_page_on_the_panel(client, proof):
    client.force_login(proof.assessment.candidate)
    box = client.get(f"/certificates/{proof.pk}/panel/").content.decode()
    for link in (
        f'href="/certificates/{proof.pk}/badge.png"',
        f'href="/certificates/{proof.pk}/badge.svg"',
        f'href="{PAGE}"',
        f'src="{PAGE}badge-nl-fr.svg"',
        'href="https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;',
    ):
        assert link in box, link


def test_a_revoked_proof_offers_no_badge_and_no_linkedin_link(client, proof, administrator):
    services.certificate_revoke(certificate=proof, actor=administrator, reason="Fraud")
    client.force_login(proof.assessment.candidate)
    box = client.get(f"/certificates/{proof.pk}/panel/").content.decode()
    assert "badge.png" not in box and "linkedin" not in box


def test_the_badge_and_linkedin_link_wait_for_the_documents(client, assessment):
    proof = flows.certify(assessment).certificate
    credential_issue(certificate=proof, languages=("nl", "en"))
    client.force_login(proof.assessment.candidate)
    box = client.get(f"/certificates/{proof.pk}/panel/").content.decode()
    assert "badge.png" not in box and "linkedin" not in box
