"""The proof of partial qualification (bewijs van deelkwalificatie): issued by the decision when the
chain completed one or more partial qualifications but not the whole qualification."""

import io

import pytest
from django.utils import timezone

from assessments.models import Assessment
from audit.models import AuditEntry
from certificates import services
from certificates.credentials.issuing import credential_issue
from certificates.models import Certificate

from .. import factories, flows
from ..certificates.sealing_helpers import check, envelope
from ..conftest import INBOUND, OUTBOUND
from ..rules import breaks_rule
from .conftest import reassess

pytestmark = pytest.mark.django_db
EVERY_ORDER = set(range(1, 9))


@pytest.fixture
def decide(qualification_with_partials, candidate, assessor, second_assessor):
    """Decide an assessment of the second qualification on which everything but ``not_proven`` is proven."""

    def decided(not_proven=()) -> Assessment:
        assessment = factories.AssessmentFactory(
            qualification=qualification_with_partials,
            candidate=candidate,
            first_assessor=assessor,
            second_assessor=second_assessor,
        )
        return flows.decide(assessment, not_proven=set(not_proven))

    return decided


def orders(document: Certificate) -> set[int]:
    return set(document.competencies.values_list("order", flat=True))


def partial_codes(document: Certificate) -> list[str]:
    return list(document.partial_qualifications.order_by("order").values_list("code", flat=True))


@pytest.mark.parametrize(
    "not_proven,status,kind,partials,listed",
    [
        (set(), "certified", "certificate", [], set()),
        ({5, 8}, "not_certified", "partial", ["9213-D1"], INBOUND),
        ({8}, "not_certified", "partial", ["9213-D1", "9213-D2"], INBOUND | OUTBOUND),
        ({1, 5}, "not_certified", "statement", [], {2, 3, 4, 6, 7, 8}),
    ],
    ids=["everything", "inbound complete", "both complete", "stray competencies"],
)
def test_the_decision_issues_the_one_proof_due(decide, not_proven, status, kind, partials, listed):
    decided = decide(not_proven)
    assert decided.status == status
    document = Certificate.objects.get(assessment=decided)
    assert (document.kind, partial_codes(document), orders(document)) == (kind, partials, listed)
    assert document.versions.get().status == "queued"


def test_nothing_proven_issues_no_proof(decide):
    decided = decide(EVERY_ORDER)
    assert decided.status == "not_certified"
    assert not Certificate.objects.filter(assessment=decided).exists()


def test_the_proof_of_partial_qualification_has_its_own_series_and_audit_entry(decide, qualification_with_partials):
    year = timezone.localdate().year
    first = decide({8}).certificate
    statement = decide({1, 5}).certificate
    second = decide({1}).certificate
    assert (first.number, second.number) == (f"9213-D-{year}-000001", f"9213-D-{year}-000002")
    assert statement.number == f"9213-C-{year}-000001"
    entry = AuditEntry.objects.about(first.assessment).get(action=AuditEntry.Action.PARTIAL_ISSUED)
    assert entry.summary == first.number
    assert entry.data["partial_qualifications"] == ["9213-D1", "9213-D2"]
    version = second.versions.get()
    assert version.download_name.startswith(f"proof-of-partial-qualification-{second.number}-")


def test_a_stray_competency_is_not_on_the_proof_of_partial_qualification(decide):
    """The decree gives a proof of competencies only when no proof of partial qualification is due."""
    proof = decide({5}).certificate  # inbound complete, 6, 7 and 8 proven besides
    assert proof.kind == "partial" and orders(proof) == INBOUND
    assert not Certificate.objects.filter(kind="statement").exists()


def test_the_services_refuse_the_wrong_proof(decide, qualification_with_partials):
    inbound = list(qualification_with_partials.competencies.filter(order__in=INBOUND))
    stray = decide({1, 5})
    with breaks_rule("no_partial_qualification"):
        services.partial_issue(assessment=stray, competencies=list(stray.certificate.competencies.all()))
    nothing = decide(EVERY_ORDER)  # no document: the services are asked directly
    with breaks_rule("partial_due"):
        services.statement_issue(assessment=nothing, competencies=inbound)
    with breaks_rule("no_competencies"):
        services.partial_issue(assessment=nothing, competencies=[])
    assert not Certificate.objects.filter(assessment=nothing).exists()
    certified = decide()
    with breaks_rule("not_partial"):
        services.partial_issue(assessment=certified, competencies=inbound)


def test_partial_issue_is_idempotent(decide):
    decided = decide({8})
    again = services.partial_issue(assessment=decided, competencies=[])
    assert again == decided.certificate and Certificate.objects.filter(kind="partial").count() == 1


def test_the_chain_carries_over_from_a_statement_to_a_partial_proof_to_the_full_proof(decide, administrator):
    first = decide({4, 5, 8})  # 1, 2, 3, 6, 7: no partial qualification complete
    assert first.certificate.kind == "statement"
    second = flows.decide(reassess(first, administrator), not_proven={8})
    assert sorted(c.competency.order for c in second.carried_over.all()) == [1, 2, 3, 6, 7]
    assert second.certificate.kind == "partial"
    assert partial_codes(second.certificate) == ["9213-D1", "9213-D2"]
    assert orders(second.certificate) == INBOUND | OUTBOUND
    third = reassess(second, administrator)
    assert sorted(c.competency.order for c in third.carried_over.all()) == [1, 2, 3, 4, 5, 6, 7]
    third = flows.decide(third)
    assert third.status == "certified" and third.certificate.kind == "certificate"
    assert [a.certificate.kind for a in third.chain()] == ["statement", "partial", "certificate"]
    assert not Certificate.objects.filter(status="revoked").exists()  # earlier proofs were true when issued


def test_a_holder_of_the_full_proof_is_not_reassessed_after_a_partial_proof(
    decide, administrator, qualification_with_partials
):
    partial = decide({8})
    flows.certify(factories.AssessmentFactory(qualification=qualification_with_partials, candidate=partial.candidate))
    with breaks_rule("already_certified", "candidate"):
        reassess(partial, administrator)


def test_an_upheld_objection_to_a_partial_decision_can_end_in_the_full_proof(
    decide, administrator, third_assessor, fourth_assessor
):
    from assessments import services as assessment_services

    partial = decide({8})
    objection = assessment_services.objection_lodge(
        actor=partial.candidate,
        assessment=partial,
        competencies=list(partial.qualification.competencies.filter(order=8)),
        reason="The last call was cut off.",
    )
    objection = assessment_services.objection_decide(
        actor=administrator,
        objection=objection,
        upheld=True,
        reason="Agreed",
        first_assessor=third_assessor,
        second_assessor=fourth_assessor,
        scheduled_at=timezone.now() + timezone.timedelta(hours=1),
    )
    new = flows.decide(objection.new_assessment)
    assert new.certificate.kind == "certificate" and partial.certificate.kind == "partial"


PARTIAL_NOTE = (
    "This is a proof of partial qualification, not a proof of the professional qualification Test qualification "
    "contact centre (9213): it proves only the partial qualifications listed, which belong to it."
)


def test_verification_names_the_partial_qualifications_and_what_the_proof_is_not(client, decide):
    proof = decide({5, 8}).certificate
    page = client.get(f"/verify/{proof.verification_code}/").content.decode()
    assert "This proof of partial qualification is valid." in page
    assert PARTIAL_NOTE in page and "Number of the proof" in page
    assert "Inbound contacts (9213-D1)" in page and "Outbound contacts" not in page
    assert "4. Competency 4" in page and "Competency 6" not in page


def test_a_revoked_proof_of_partial_qualification_says_so(client, decide, administrator):
    proof = services.certificate_revoke(certificate=decide({8}).certificate, actor=administrator, reason="Error")
    assert (
        "This proof of partial qualification has been revoked."
        in client.get(f"/verify/{proof.verification_code}/").content.decode()
    )


@pytest.fixture
def partial_file(decide) -> tuple[Certificate, bytes]:
    proof = decide({5}).certificate
    return proof, envelope(credential_issue(certificate=proof, languages=("nl", "en")).jwt)


def test_a_checked_partial_proof_file_names_its_kind_and_partial_qualifications(client, partial_file):
    proof, data = partial_file
    result = check(client, data, "proof.json").json()
    assert result["verdict"] == "valid"
    document = result["certificate"]
    assert (document["kind"], document["kind_name"]) == ("partial", "Proof of partial qualification")
    assert document["partial_qualifications"] == ["9213-D1"]
    assert document["competencies"] == [f"T9213-{order}" for order in sorted(INBOUND)]
    assert document["note"] == PARTIAL_NOTE
    messages = {item["check"]: item["message"] for item in result["checks"]}
    assert messages["schema"] == "The credential is a valid Open Badges 3.0 credential."
    assert messages["register"] == (
        f"It matches the register: proof of partial qualification {proof.number} of Chris Candidate."
    )
    assert messages["status"] == "The proof of partial qualification is valid: it has not been revoked."
    page = client.post("/verify/", {"file": io.BytesIO(data)}).content.decode()
    assert "This file is genuine and the proof of partial qualification is valid." in page
    assert "Inbound contacts (9213-D1)" in page


def test_a_revoked_partial_proof_file_is_reported_revoked(client, partial_file, administrator):
    proof, data = partial_file
    services.certificate_revoke(certificate=proof, actor=administrator, reason="Error")
    result = check(client, data, "proof.json").json()
    assert result["verdict"] == "revoked"
    assert result["checks"][-1]["message"] == "The proof of partial qualification has been revoked."
    page = client.post("/verify/", {"file": io.BytesIO(data)}).content.decode()
    assert "This file is genuine, but the proof of partial qualification has been revoked." in page


def test_candidate_and_administrator_see_the_proof_box(client, decide, candidate, administrator, assessor):
    decided = decide({8})
    for user in (candidate, administrator):
        client.force_login(user)
        page = client.get(f"/assessments/{decided.pk}/").content.decode()
        assert "Proof of partial qualification" in page and decided.certificate.number in page
    client.force_login(candidate)
    page = client.get(f"/assessments/{decided.pk}/timeline/").content.decode()
    assert "Proof of partial qualification issued" in page
    client.force_login(assessor)
    assert decided.certificate.number not in client.get(f"/assessments/{decided.pk}/").content.decode()
