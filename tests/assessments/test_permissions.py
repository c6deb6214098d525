"""Every view, for every kind of visitor: what they may see, and a 404 for anything else."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from assessments import services
from assessments.models import Objection, Observation
from certificates.credentials import signing
from certificates.credentials.issuing import credential_issue
from certificates.models import IssuerKey, SupplementVersion
from notifications.models import Notification

from .. import flows, samples
from ..conftest import qualification_with_partials_create

ANONYMOUS, CANDIDATE, OTHER_CANDIDATE, ASSESSOR, OUTSIDER, ADMINISTRATOR = (
    "anonymous",
    "candidate",
    "other candidate",
    "assigned assessor",
    "unassigned assessor",
    "administrator",
)
EVERYONE = [ANONYMOUS, CANDIDATE, OTHER_CANDIDATE, ASSESSOR, OUTSIDER, ADMINISTRATOR]  # administrator last
SIGNED_IN = set(EVERYONE) - {ANONYMOUS}

# (name, method, url template, who may use it). Anybody else signed in gets a 404.
VIEWS = [
    ("dashboard", "get", "/assessments/", SIGNED_IN),
    ("assessment", "get", "/assessments/{a}/", {CANDIDATE, ASSESSOR, ADMINISTRATOR}),
    ("timeline", "get", "/assessments/{a}/timeline/", {CANDIDATE, ADMINISTRATOR}),
    ("portfolio add", "get", "/assessments/{a}/portfolio/add/", {CANDIDATE}),
    ("portfolio withdraw", "post", "/assessments/{a}/portfolio/{item}/withdraw/", {CANDIDATE}),
    ("portfolio download", "get", "/assessments/{a}/portfolio/{item}/download/", {CANDIDATE, ASSESSOR, ADMINISTRATOR}),
    ("start", "post", "/assessments/{a}/start/", {ASSESSOR, ADMINISTRATOR}),
    ("end", "post", "/assessments/{a}/end/", {ASSESSOR, ADMINISTRATOR}),
    ("score sheet", "get", "/assessments/{a}/score-sheet/", {ASSESSOR}),
    ("observation", "get", "/assessments/{a}/observations/{observation}/download/", {ASSESSOR, ADMINISTRATOR}),
    ("reconciliation", "get", "/assessments/{a}/reconciliation/", {ASSESSOR, ADMINISTRATOR}),
    ("revise", "post", "/assessments/{a}/reconciliation/{competency}/revise/", {ASSESSOR}),
    ("assessors", "get", "/assessments/{a}/assessors/", {ADMINISTRATOR}),
    ("reassess", "get", "/assessments/{a}/reassess/", {ADMINISTRATOR}),
    ("objection", "get", "/assessments/{a}/objection/", {CANDIDATE}),
    ("objection decide", "get", "/assessments/{a}/objection/decide/", {ADMINISTRATOR}),
    ("new assessment", "get", "/assessments/new/", {ADMINISTRATOR}),
    ("reschedule or cancel", "get", "/assessments/{a}/schedule/", {ADMINISTRATOR}),
    ("reschedule", "post", "/assessments/{a}/schedule/", {ADMINISTRATOR}),
    ("day view", "get", "/assessments/day/", {ADMINISTRATOR}),
    ("people", "get", "/accounts/people/", {ADMINISTRATOR}),
    ("new candidate", "get", "/accounts/people/new/candidate/", {ADMINISTRATOR}),
    ("invite again", "post", "/accounts/people/{candidate}/invite/", {ADMINISTRATOR}),
    ("person", "get", "/accounts/people/{candidate}/", {ADMINISTRATOR}),
    ("person deactivate", "post", "/accounts/people/{candidate}/active/", {ADMINISTRATOR}),
    ("people export", "get", "/accounts/people/export.csv", {ADMINISTRATOR}),
    ("audit trail", "get", "/audit/", {ADMINISTRATOR}),
    ("reports", "get", "/assessments/reports/", {ADMINISTRATOR}),
    ("reports export", "get", "/assessments/reports/export.csv", {ADMINISTRATOR}),
    ("reports refresh", "post", "/assessments/reports/refresh/", {ADMINISTRATOR}),
    ("dashboard export", "get", "/assessments/export.xlsx", {ADMINISTRATOR}),
    ("assessments import", "get", "/assessments/import/", {ADMINISTRATOR}),
    ("account search", "get", "/accounts/people/search/", {ADMINISTRATOR}),
    ("candidates import", "get", "/accounts/people/import/", {ADMINISTRATOR}),
    ("audit trail export", "get", "/audit/export.csv", {ADMINISTRATOR}),
    ("outcome reports export", "get", "/assessments/reports/outcomes.csv", {ADMINISTRATOR}),
    ("notifications", "get", "/notifications/", {ADMINISTRATOR}),
    ("e-mail send again", "post", "/notifications/{notification}/resend/", {ADMINISTRATOR}),
    ("certificate panel", "get", "/certificates/{certificate}/panel/", {CANDIDATE, ADMINISTRATOR}),
    ("supplement download", "get", "/certificates/{certificate}/supplements/1/download/", {CANDIDATE, ADMINISTRATOR}),
    ("proof download", "get", "/certificates/{certificate}/supplements/1/proof/", {CANDIDATE, ADMINISTRATOR}),
    (
        "documents download",
        "get",
        "/certificates/{certificate}/supplements/1/documents.zip",
        {CANDIDATE, ADMINISTRATOR},
    ),
    ("supplement retry", "post", "/certificates/{certificate}/supplements/1/retry/", {ADMINISTRATOR}),
    ("supplement render", "post", "/certificates/{certificate}/render/", {ADMINISTRATOR}),
    ("certificate revoke", "post", "/certificates/{certificate}/revoke/", {ADMINISTRATOR}),
    ("credential download (JWT)", "get", "/certificates/{certificate}/credential.jwt", {CANDIDATE, ADMINISTRATOR}),
    ("credential download (JSON)", "get", "/certificates/{certificate}/credential.json", {CANDIDATE, ADMINISTRATOR}),
    ("baked badge download (PNG)", "get", "/certificates/{certificate}/badge.png", {CANDIDATE, ADMINISTRATOR}),
    ("baked badge download (SVG)", "get", "/certificates/{certificate}/badge.svg", {CANDIDATE, ADMINISTRATOR}),
]
PUBLIC = [
    ("home", "/"),
    ("catalogue", "/qualifications/"),
    ("qualification", "/qualifications/0213/"),
    ("verification", "/verify/{code}/"),
    ("login", "/accounts/login/"),
    ("file check", "/verify/"),
    ("verification by number and code", "/verify/number/?number={number}&code={code}"),
    ("issuer profile", "/credentials/issuer/"),
    ("status list", "/credentials/status/revocation/"),
    ("issuer keys", "/credentials/keys.json"),
    ("issuer key", "/credentials/keys/{key}.json"),
    ("issuer multikey", "/credentials/issuer/keys/{multikey}/"),
    ("achievement of competencies", "/credentials/achievements/0213/competencies/1,3/"),
    ("achievement of partial qualifications", "/credentials/achievements/{partials}/partial-qualifications/1/"),
    ("achievement", "/achievements/0213/proof-of-professional-qualification/"),
    ("achievement badge (SVG)", "/achievements/0213/proof-of-competencies/badge-nl-fr.svg"),
    ("achievement badge (PNG)", "/achievements/0213/proof-of-competencies/badge-fr-en.png"),
]
# Public POST endpoints: anyone may use them; without a file the answer is a 400, never a 404 or a login.
PUBLIC_POST = [("file check (machine)", "/verify/check.json")]


def sign_in_as(client, users, who) -> None:
    client.logout()
    if who != ANONYMOUS:
        client.force_login(users[who])


@pytest.fixture
def world(assessment, candidate, other_candidate, assessor, outsider_assessor, administrator):
    """A certified assessment with a portfolio item, an observation and a rendered supplement."""
    item = services.portfolio_item_add(
        actor=candidate,
        assessment=assessment,
        upload=samples.pdf(),
        description="CV",
        competencies=[assessment.qualification.competencies.first()],
    )
    flows.certify(assessment)
    judgement = flows.sheet_of(assessment, assessor).judgements.first()
    observation = Observation(
        judgement=judgement, original_name="o.pdf", content_type="application/pdf", size=3, sha256="0" * 64
    )
    observation.file.save("o", ContentFile(b"obs"))
    certificate = assessment.certificate
    version = certificate.versions.get()
    version.status = SupplementVersion.Status.READY
    version.proof_sha256, version.proof_size = "0" * 64, len(samples.MINIMAL_PDF)
    version.proof_file.save("proofs/test.pdf", ContentFile(samples.MINIMAL_PDF), save=False)
    version.file.save("supplements/test.pdf", ContentFile(samples.MINIMAL_PDF))
    credential_issue(certificate=certificate, languages=certificate.languages)
    Objection.objects.create(assessment=assessment, reason="r", lodged_at=timezone.now())
    users = {
        CANDIDATE: candidate,
        OTHER_CANDIDATE: other_candidate,
        ASSESSOR: assessor,
        OUTSIDER: outsider_assessor,
        ADMINISTRATOR: administrator,
    }
    ids = {
        "a": assessment.pk,
        "item": item.pk,
        "observation": observation.pk,
        "certificate": certificate.pk,
        "competency": judgement.competency_id,
        "candidate": candidate.pk,
        "code": certificate.verification_code,
        "number": certificate.number,
        "notification": Notification.objects.filter(assessment=assessment).first().pk,
        "key": certificate.credential.key.key_id,
        "multikey": signing.public_key_multibase(IssuerKey.objects.get(key_type="Ed25519")),
        "partials": qualification_with_partials_create().code,
    }
    return users, ids


@pytest.mark.django_db
@pytest.mark.parametrize("name,method,url,allowed", VIEWS, ids=[v[0] for v in VIEWS])
def test_it_requires_access(client, world, name, method, url, allowed):
    users, ids = world
    url = url.format(**ids)
    for who in EVERYONE:
        sign_in_as(client, users, who)
        response = getattr(client, method)(url)
        if who == ANONYMOUS:
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (who, url)
        elif who in allowed:
            assert response.status_code in (200, 302), (who, url, response.status_code)
            if response.status_code == 302:
                assert not response.url.startswith("/accounts/login/"), (who, url)
        else:
            assert response.status_code == 404, (who, url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("name,url", PUBLIC, ids=[p[0] for p in PUBLIC])
def test_public_pages_are_open_to_everyone(client, world, name, url):
    users, ids = world
    for who in EVERYONE:
        sign_in_as(client, users, who)
        response = client.get(url.format(**ids))
        assert response.status_code in (200, 302), (who, url)


@pytest.mark.django_db
@pytest.mark.parametrize("name,url", PUBLIC_POST, ids=[p[0] for p in PUBLIC_POST])
def test_public_post_endpoints_are_open_to_everyone(client, world, name, url):
    users, _ids = world
    for who in EVERYONE:
        sign_in_as(client, users, who)
        assert client.post(url).status_code == 400, (who, url)


def test_every_view_of_the_procedure_is_in_the_matrix():
    from django.urls import get_resolver, resolve

    dummy = dict.fromkeys(
        [
            "a",
            "item",
            "observation",
            "certificate",
            "competency",
            "candidate",
            "code",
            "notification",
            "key",
            "multikey",
            "number",
            "partials",
        ],
        1,
    )
    covered = {resolve(url.format(**dummy)).view_name for _name, _method, url, _allowed in VIEWS}
    covered |= {resolve(url.format(**dummy).split("?")[0]).view_name for _name, url in PUBLIC + PUBLIC_POST}
    existing = {
        f"{namespace}:{name}"
        for namespace in ("assessments", "certificates", "reports")
        for name in get_resolver().namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }
    assert existing <= covered


def assert_private(response, context) -> None:
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, (context, response.headers.get("Cache-Control"))


@pytest.mark.django_db
@pytest.mark.parametrize("name,method,url,allowed", VIEWS, ids=[v[0] for v in VIEWS])
def test_every_response_to_a_signed_in_person_is_private_and_not_stored(client, world, name, method, url, allowed):
    users, ids = world
    url = url.format(**ids)
    # The administrator last: a step it takes (deactivating the candidate) changes who the others are.
    for who in sorted(SIGNED_IN, key=lambda who: (who == ADMINISTRATOR, who)):
        sign_in_as(client, users, who)
        assert_private(getattr(client, method)(url), (who, url))


@pytest.mark.django_db
@pytest.mark.parametrize("name,url", PUBLIC, ids=[p[0] for p in PUBLIC])
def test_public_pages_seen_signed_in_are_private_and_not_stored(client, world, name, url):
    users, ids = world
    for who in SIGNED_IN:
        sign_in_as(client, users, who)
        assert_private(client.get(url.format(**ids), follow=True), (who, url))


@pytest.mark.django_db
def test_pages_with_personal_data_are_private_for_anonymous_visitors_too(client, world):
    users, ids = world
    assert_private(client.get(f"/verify/{ids['code']}/"), "verification shows the holder's name")
    # The answer to a sign-in carries the new session: it is never stored either.
    users[CANDIDATE].set_password("a-long-enough-password")
    users[CANDIDATE].save()
    response = client.post(
        "/accounts/login/", {"username": users[CANDIDATE].email, "password": "a-long-enough-password"}
    )
    assert response.status_code == 302
    assert_private(response, "sign-in")


# Views that also answer GET (a form page that posts to itself) are not POST-only.
PAGES = {url for _name, method, url, _allowed in VIEWS if method == "get"}
POST_ONLY = [(name, url) for name, method, url, _allowed in VIEWS if method == "post" and url not in PAGES] + [
    ("sign out", "/accounts/logout/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,url", POST_ONLY, ids=[p[0] for p in POST_ONLY])
def test_every_post_only_view_refuses_get(client, world, name, url):
    users, ids = world
    for who in EVERYONE:
        sign_in_as(client, users, who)
        response = client.get(url.format(**ids))
        assert response.status_code == 405, (who, url, response.status_code)
        assert "POST" in response.headers["Allow"]
