"""What each proof's credential claims (decision 0021): the proof of professional qualification the
qualification with every competency; a proof of partial qualification or of competencies an
achievement of its own, with results only for what it proves. Every id is a URI, every document
expands as JSON-LD without losing a term, and credentials signed before keep verifying."""

import json
from urllib.parse import unquote

import pytest

from certificates.credentials import documents, signing
from certificates.credentials.issuing import build_credential, credential_issue
from certificates.models import CertificateCredential

from .. import factories, flows
from ..conftest import INBOUND, OUTBOUND
from . import jsonld_checks
from .sealing_helpers import check, payload_of

pytestmark = pytest.mark.django_db
BASE = "https://portal.example.org"
ACHIEVEMENTS = f"{BASE}/credentials/achievements"


def issued(qualification, not_proven=(), languages=("nl", "en")) -> CertificateCredential:
    """The credential of a decision on ``qualification`` proving all but the orders ``not_proven``."""
    assessment = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven=set(not_proven))
    return credential_issue(certificate=assessment.certificate, languages=languages)


def claims(credential: CertificateCredential) -> tuple[dict, list[str]]:
    """The signed credential's achievement, and the result descriptions its results name."""
    payload = payload_of(credential.jwt)
    assert documents.schema_errors(payload) == []
    subject = payload["credentialSubject"]
    assert all(result["status"] == "Completed" for result in subject["result"])
    return subject["achievement"], [result["resultDescription"] for result in subject["result"]]


def claimed(credential: CertificateCredential, *, achievement_id: str, achievement_type: str, name: str) -> dict:
    """The credential's achievement, once checked that it is the one expected and that its results
    are exactly its result descriptions."""
    achievement, results = claims(credential)
    assert (achievement["id"], achievement["achievementType"]) == (achievement_id, achievement_type)
    assert achievement["name"] == name
    assert results == [description["id"] for description in achievement["resultDescription"]]
    assert all(result.startswith(f"{achievement_id}#") for result in results)
    return achievement


def codes_of(achievement: dict) -> list[str]:
    """The official codes the result descriptions name (in their ids and at the start of their names)."""
    codes = []
    for description in achievement["resultDescription"]:
        fragment = description["id"].split("#", 1)[1]
        code = unquote(fragment.removeprefix("partial-qualification-").removeprefix("competency-"))
        assert description["name"].startswith(f"{code} ")
        codes.append(code)
    return codes


@pytest.fixture
def full(qualification):
    return issued(qualification)


@pytest.fixture
def statement(qualification):
    """A proof of competencies of 0213: competencies 1, 3 and 8 of 10 (0213 has no partial qualifications)."""
    return issued(qualification, not_proven={2, 4, 5, 6, 7, 9, 10})


@pytest.fixture
def partial(qualification_with_partials):
    """A proof of partial qualification: inbound contacts (competencies 1 to 4), not outbound (5 missing)."""
    return issued(qualification_with_partials, not_proven={5, 8})


@pytest.fixture
def partials(qualification_with_partials):
    """A proof of partial qualification naming both partial qualifications (only competency 8 missing)."""
    return issued(qualification_with_partials, not_proven={8})


def test_the_full_proof_claims_the_qualification_and_every_competency(full, qualification):
    achievement = claimed(
        full,
        achievement_id=f"{BASE}/qualifications/0213/",
        achievement_type="Certificate",
        name="Contactcenteroperator / Contact Center operator",
    )
    assert codes_of(achievement) == [c.code for c in qualification.competencies.order_by("order")]
    assert achievement["resultDescription"][0]["id"] == f"{BASE}/qualifications/0213/#competency-D140801%20Id17425"
    assert {a["targetType"] for a in achievement["alignment"]} == {"ext:FlemishQualificationLevel", "ext:EQFLevel"}


def test_a_statement_has_its_own_achievement_with_results_only_for_its_competencies(statement, qualification):
    achievement = claimed(
        statement,
        achievement_id=f"{ACHIEVEMENTS}/0213/competencies/1,3,8/",
        achievement_type="Competency",
        name="Bewijs van competenties — Contactcenteroperator: 3 van 10 competenties / "
        "Proof of competencies — Contact Center operator: 3 of 10 competencies",
    )
    assert codes_of(achievement) == [c.code for c in qualification.competencies.filter(order__in=(1, 3, 8))]
    narrative = achievement["criteria"]["narrative"]
    assert "Bewezen competenties: D140801 Id17425, D140801 Id17255, co 01669." in narrative
    assert "Competencies proven: D140801 Id17425, D140801 Id17255, co 01669." in narrative
    description = achievement["description"]
    assert "3 van de 10 competenties van de beroepskwalificatie Contactcenteroperator (0213)" in description
    # No level of its own: it is aligned to the qualification it is part of.
    (alignment,) = achievement["alignment"]
    assert alignment["targetUrl"] == f"{BASE}/qualifications/0213/" and alignment["targetCode"] == "0213"


def test_a_partial_proof_has_its_own_achievement_with_results_for_its_partial_qualification_and_competencies(
    partial,
):
    achievement = claimed(
        partial,
        achievement_id=f"{ACHIEVEMENTS}/9213/partial-qualifications/1/",
        achievement_type="ext:PartialQualification",
        name="Bewijs van deelkwalificatie — Inkomende contacten (Testkwalificatie contactcenter) / "
        "Proof of partial qualification — Inbound contacts (Test qualification contact centre)",
    )
    assert codes_of(achievement) == ["9213-D1"] + [f"T9213-{order}" for order in sorted(INBOUND)]
    narrative = achievement["criteria"]["narrative"]
    assert "9213-D1 Inkomende contacten" in narrative and "9213-D1 Inbound contacts" in narrative
    assert "9213-D2" not in narrative and "T9213-6" not in narrative and "T9213-8" not in narrative


def test_a_partial_proof_of_two_partial_qualifications_claims_both_and_nothing_else(partials):
    achievement = claimed(
        partials,
        achievement_id=f"{ACHIEVEMENTS}/9213/partial-qualifications/1,2/",
        achievement_type="ext:PartialQualification",
        name="Bewijs van deelkwalificatie — Inkomende contacten; Uitgaande contacten (Testkwalificatie contactcenter)"
        " / Proof of partial qualification — Inbound contacts; Outbound contacts (Test qualification contact centre)",
    )
    assert codes_of(achievement) == ["9213-D1", "9213-D2"] + [f"T9213-{o}" for o in sorted(INBOUND | OUTBOUND)]


@pytest.mark.parametrize("kind", ["statement", "partial", "partials"])
def test_an_achievements_id_answers_that_achievement_in_the_authentic_language_and_french(client, request, kind):
    achievement, _results = claims(request.getfixturevalue(kind))
    response = client.get(achievement["id"].removeprefix(BASE))
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    published = response.json()
    assert published["@context"] == [documents.VC_V2_CONTEXT, documents.OB3_CONTEXT]
    assert published["inLanguage"] == "nl"
    assert " / Preuve de " in published["name"]
    for member in ("id", "type", "achievementType", "humanCode"):
        assert published[member] == achievement[member], member
    assert [d["id"] for d in published["resultDescription"]] == [d["id"] for d in achievement["resultDescription"]]
    # A valid Open Badges achievement: the official schema accepts it in a credential.
    credential = payload_of(request.getfixturevalue(kind).jwt)
    credential["credentialSubject"]["achievement"] = {
        name: value for name, value in published.items() if name != "@context"
    }
    assert documents.schema_errors(credential) == []


def test_the_full_proofs_achievement_id_is_the_qualifications_public_page(client, full):
    achievement, _results = claims(full)
    assert client.get(achievement["id"].removeprefix(BASE)).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "9213/competencies/8,1/",  # not in ascending order: one achievement, one id
        "9213/competencies/1,1/",
        "9213/competencies/01/",
        "9213/competencies/1,9/",  # no competency 9
        "9213/competencies/1,2,3,4,5,6,7,8/",  # the whole qualification has its own achievement
        "9213/competencies/1;2/",
        "9213/competencies/,/",
        "9213/partial-qualifications/3/",
        "9213/partial-qualifications/2,1/",
        "9999/competencies/1/",
        "9213/competencies/" + ",".join(str(order) for order in range(1, 5000)) + "/",  # more than there are
    ],
)
def test_an_achievement_no_proof_could_claim_is_not_found(client, qualification_with_partials, path):
    assert client.get(f"/credentials/achievements/{path}").status_code == 404


def test_the_achievement_of_any_part_of_the_qualification_is_published(client, qualification_with_partials):
    published = client.get("/credentials/achievements/9213/competencies/2,8/").json()
    assert published["name"].startswith(
        "Bewijs van competenties — Testkwalificatie contactcenter: 2 van 8 competenties"
    )
    assert codes_of(published) == ["T9213-2", "T9213-8"]


@pytest.mark.parametrize("kind", ["full", "statement", "partial", "partials"])
def test_every_id_in_the_credential_is_a_uri(request, kind):
    credential = request.getfixturevalue(kind)
    for document in (payload_of(credential.jwt), json.loads(credential.data_integrity)):
        found = jsonld_checks.ids(document)
        assert len(found) > 5
        assert [identifier for identifier in found if not jsonld_checks.is_uri(identifier)] == []


@pytest.mark.parametrize("kind", ["full", "statement", "partial", "partials"])
def test_every_credential_expands_as_json_ld_without_losing_a_term(request, kind):
    credential = request.getfixturevalue(kind)
    assert jsonld_checks.problems(json.loads(credential.data_integrity)) == []


def test_the_published_documents_have_uri_ids_and_expand_without_losing_a_term(client, statement):
    achievement, _results = claims(statement)
    proof_method = json.loads(statement.data_integrity)["proof"][0]["verificationMethod"]
    published = {
        "issuer profile": client.get("/credentials/issuer/").json(),
        "status list": client.get("/credentials/status/revocation/", HTTP_ACCEPT="application/ld+json").json(),
        "multikey": client.get(proof_method.removeprefix(BASE)).json(),
        "achievement": client.get(achievement["id"].removeprefix(BASE)).json(),
    }
    for name, document in published.items():
        assert [i for i in jsonld_checks.ids(document) if not jsonld_checks.is_uri(i)] == [], name
        assert jsonld_checks.problems(document) == [], name
    # The profile's keys are terms of its contexts (DID v1, Multikey v1), not issuer-dependent words.
    profile = jsonld_checks.expanded(published["issuer profile"])[0]
    assert {"https://w3id.org/security#verificationMethod", "https://w3id.org/security#assertionMethod"} <= set(profile)


def test_the_checks_catch_an_undefined_term_an_undefined_type_and_an_id_that_is_no_uri(full):
    document = json.loads(full.data_integrity)
    achievement = document["credentialSubject"]["achievement"]
    achievement["resultDescription"][0]["id"] = f"{BASE}/qualifications/0213/#competency-D140801 Id17425"
    achievement["level"] = "3"
    achievement["type"] = ["Achievement", "Qualification"]
    found = jsonld_checks.problems(document)
    assert f"not a URI: '{BASE}/qualifications/0213/#competency-D140801 Id17425'" in found
    assert "undefined term level" in found and f"undefined type {jsonld_checks.UNDEFINED}Qualification" in found
    assert not jsonld_checks.is_uri("D140801 Id17425") and jsonld_checks.is_uri("urn:uuid:1234")


def earlier_claims(credential: CertificateCredential) -> dict:
    """The credential as it was signed before decision 0021: the qualification's achievement, and
    result descriptions named by the bare competency codes (ids with spaces)."""
    document = build_credential(credential)
    qualification_page = f"{BASE}/qualifications/0213/"
    achievement = document["credentialSubject"]["achievement"]
    achievement["id"] = qualification_page
    competencies = credential.certificate.competencies.order_by("order")
    for description, competency in zip(achievement["resultDescription"], competencies, strict=True):
        description["id"] = f"{qualification_page}#competency-{competency.code}"
    document["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": d["id"], "status": "Completed"}
        for d in achievement["resultDescription"]
    ]
    return document


def test_a_credential_signed_with_the_earlier_claims_keeps_verifying_and_is_signed_again_when_downloaded(
    client, statement
):
    earlier = earlier_claims(statement)
    assert " " in earlier["credentialSubject"]["result"][0]["resultDescription"]
    old_jwt = signing.sign(earlier, signing.jwt_key())
    old_json = json.dumps(signing.with_proof(earlier, signing.proof_key()))
    CertificateCredential.objects.filter(pk=statement.pk).update(jwt=old_jwt, data_integrity=old_json)

    for data, name in ((old_jwt, "credential.jwt"), (old_json, "credential.json")):
        assert check(client, data.encode(), name).json()["verdict"] == "valid", name

    client.force_login(statement.certificate.assessment.candidate)
    downloaded = json.loads(client.get(f"/certificates/{statement.certificate.pk}/credential.json").content)
    statement.refresh_from_db()
    assert downloaded["credentialSubject"]["achievement"]["id"] == f"{ACHIEVEMENTS}/0213/competencies/1,3,8/"
    assert statement.jwt != old_jwt and payload_of(statement.jwt)["id"] == earlier["id"]
    assert downloaded["credentialStatus"] == earlier["credentialStatus"]
    # Signed again once; the files signed before keep verifying.
    assert credential_issue(certificate=statement.certificate, languages=("nl", "en")).jwt == statement.jwt
    for data, name in ((old_jwt, "credential.jwt"), (old_json, "credential.json")):
        assert check(client, data.encode(), name).json()["verdict"] == "valid", name
