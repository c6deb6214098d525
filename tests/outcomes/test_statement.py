"""Item 1 of the outcomes: a statement of proven competencies when not every competency is proven."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEntry
from certificates import services
from certificates.credentials.issuing import credential_issue
from certificates.models import Certificate

from .. import factories, flows
from ..certificates.conftest import render
from ..certificates.sealing_helpers import check, envelope

pytestmark = pytest.mark.django_db


def pdf_text(version) -> str:
    reader = PdfReader(version.file.path)
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_nine_of_ten_issues_a_statement_in_its_own_series(nine_of_ten):
    statement = nine_of_ten.certificate
    year = timezone.localdate().year
    assert nine_of_ten.status == "not_certified"
    assert statement.kind == Certificate.Kind.STATEMENT
    assert statement.number == f"0213-C-{year}-000001"
    assert sorted(c.order for c in statement.competencies.all()) == list(range(1, 10))
    assert statement.versions.get().status == "queued"
    entry = AuditEntry.objects.about(nine_of_ten).get(action=AuditEntry.Action.STATEMENT_ISSUED)
    assert entry.summary == statement.number


def test_statement_numbers_do_not_share_the_certificate_series(nine_of_ten, qualification):
    certified = flows.certify(factories.AssessmentFactory(qualification=qualification))
    year = timezone.localdate().year
    assert certified.certificate.number == f"0213-{year}-000001"
    second = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={1, 2})
    assert second.certificate.number == f"0213-C-{year}-000002"


def test_nothing_proven_issues_nothing(assessment):
    decided = flows.decide(assessment, not_proven=set(range(1, 11)))
    assert decided.status == "not_certified"
    assert not Certificate.objects.filter(assessment=decided).exists()


def test_statement_is_refused_for_a_certified_assessment_and_without_competencies(
    assessment, nine_of_ten, qualification
):
    certified = factories.AssessmentFactory(qualification=qualification, status="certified")
    with pytest.raises(ValidationError) as error:
        services.statement_issue(assessment=certified, competencies=list(qualification.competencies.all()[:1]))
    assert error.value.code == "not_statement"
    other = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven=set(range(1, 11)))
    with pytest.raises(ValidationError) as error:
        services.statement_issue(assessment=other, competencies=[])
    assert error.value.code == "no_competencies"
    assert not Certificate.objects.filter(assessment=other).exists()


def test_statement_issue_is_idempotent(nine_of_ten):
    again = services.statement_issue(assessment=nine_of_ten, competencies=[])
    assert again == nine_of_ten.certificate and Certificate.objects.count() == 1


@pytest.mark.parametrize("languages", [("nl", "en"), ("fr", "nl")])
def test_the_statement_pdf_lists_the_proven_competencies_in_both_languages(nine_of_ten, qualification, languages):
    statement = nine_of_ten.certificate
    version = render(services.supplement_queue(certificate=statement, languages=languages))
    text = pdf_text(version)
    assert statement.number in text and statement.holder_name in text and statement.verification_url in text
    sentences = {
        "nl": "Dit bewijs van competenties is niet de volledige beroepskwalificatie",
        "fr": "Cette preuve de compétences n’est pas la qualification professionnelle complète",
        "en": "This proof of competencies is not the full professional qualification",
    }
    for language in languages:
        assert sentences[language] in text, language
        for competency in qualification.competencies.all():
            wording = re.sub(r"\s+", " ", getattr(competency, f"text_{language}"))
            assert (wording in text) == (competency.order != 10), (language, competency.order)
            if competency.order != 10:
                for indicator in competency.indicators.all():
                    assert re.sub(r"\s+", " ", getattr(indicator, f"text_{language}")) in text
    assert qualification.competencies.get(order=3).code in text
    assert qualification.competencies.get(order=10).code not in text
    reader = PdfReader(version.file.path)
    assert "/GTS_PDFA1" in str(reader.trailer["/Root"].get_object()) or reader.xmp_metadata is not None
    assert version.download_name.startswith(f"statement-of-competencies-{statement.number}-")


def test_a_statement_sealed_with_a_test_seal_says_so_and_names_its_assessment(nine_of_ten):
    statement = nine_of_ten.certificate
    text = pdf_text(render(services.supplement_queue(certificate=statement, languages=("nl", "en"))))
    assert "TEST SEAL: this document was sealed with a development seal" in text
    assert "Holder of the proof" in text and "Number of the proof" in text
    assert "Proof of competencies" in text
    assert "Dates of the assessments" in text  # even for one assessment
    assert "This supplement describes the qualification" not in text


def test_verification_says_what_a_statement_is_and_lists_its_competencies(client, nine_of_ten, qualification):
    statement = nine_of_ten.certificate
    page = client.get(f"/verify/{statement.verification_code}/").content.decode()
    assert "This proof of competencies is valid." in page
    assert STATEMENT_NOTE in page
    assert qualification.competencies.get(order=9).code in page
    assert qualification.competencies.get(order=10).code not in page


def test_revoking_a_statement_shows_it_revoked_and_rerendering_is_refused(client, nine_of_ten, administrator):
    statement = services.certificate_revoke(certificate=nine_of_ten.certificate, actor=administrator, reason="Error")
    assert (
        "This proof of competencies has been revoked."
        in client.get(f"/verify/{statement.verification_code}/").content.decode()
    )
    with pytest.raises(ValidationError):
        services.supplement_rerender(certificate=statement, actor=administrator, languages=("nl", "fr"))
    assert AuditEntry.objects.about(nine_of_ten).filter(action=AuditEntry.Action.CERTIFICATE_REVOKED).exists()


def test_candidate_and_administrator_see_the_statement_box(client, nine_of_ten, candidate, administrator, assessor):
    for user in (candidate, administrator):
        client.force_login(user)
        page = client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
        assert "Proof of competencies" in page and nine_of_ten.certificate.number in page
    client.force_login(assessor)
    assert nine_of_ten.certificate.number not in client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()


STATEMENT_NOTE = (
    "This is a proof of competencies, not a proof of professional qualification: "
    "it proves only the competencies listed."
)


@pytest.fixture
def statement_file(nine_of_ten) -> bytes:
    """The holder's credential file of the statement (no rendering needed)."""
    return envelope(credential_issue(certificate=nine_of_ten.certificate, languages=("nl", "en")).jwt)


def test_a_checked_statement_file_is_named_a_statement_in_the_json(client, nine_of_ten, statement_file, qualification):
    result = check(client, statement_file, "statement.json").json()
    assert result["verdict"] == "valid"
    document = result["certificate"]
    assert document["kind"] == "statement" and document["kind_name"] == "Proof of competencies"
    assert document["note"] == STATEMENT_NOTE
    assert document["competencies"] == [c.code for c in qualification.competencies.order_by("order")][:9]
    messages = {item["check"]: item["message"] for item in result["checks"]}
    number = nine_of_ten.certificate.number
    assert messages["register"] == f"It matches the register: proof of competencies {number} of Chris Candidate."
    assert messages["status"] == "The proof of competencies is valid: it has not been revoked."


def test_a_checked_statement_file_is_named_a_statement_on_the_page(client, nine_of_ten, statement_file, qualification):
    page = client.post("/verify/", {"file": io.BytesIO(statement_file)}).content.decode()
    assert "This file is genuine and the proof of competencies is valid." in page
    assert "proof of professional qualification is valid" not in page
    assert STATEMENT_NOTE in page and "Number of the proof" in page
    assert qualification.competencies.get(order=9).code in page
    assert qualification.competencies.get(order=10).code not in page


@pytest.mark.parametrize(
    "language,expected",
    [
        ("nl", "Dit is een bewijs van competenties, geen bewijs van beroepskwalificatie"),
        ("fr", "Ceci est une preuve de compétences, pas une preuve de qualification professionnelle"),
    ],
)
def test_what_a_statement_is_not_is_said_in_the_visitors_language(
    client, nine_of_ten, statement_file, language, expected
):
    page = client.post("/verify/", {"file": io.BytesIO(statement_file)}, HTTP_ACCEPT_LANGUAGE=language)
    assert expected in page.content.decode()
    assert (
        expected in check(client, statement_file, "s.json", HTTP_ACCEPT_LANGUAGE=language).json()["certificate"]["note"]
    )
    assert (
        expected
        in client.get(
            f"/verify/{nine_of_ten.certificate.verification_code}/", HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
    )


def test_a_revoked_statement_file_is_reported_as_a_revoked_statement(
    client, nine_of_ten, statement_file, administrator
):
    services.certificate_revoke(certificate=nine_of_ten.certificate, actor=administrator, reason="Error")
    result = check(client, statement_file, "statement.json").json()
    assert (
        result["verdict"] == "revoked"
        and result["checks"][-1]["message"] == "The proof of competencies has been revoked."
    )
    page = client.post("/verify/", {"file": io.BytesIO(statement_file)}).content.decode()
    assert "This file is genuine, but the proof of competencies has been revoked." in page


def test_the_sealed_statement_pdf_is_verified_as_a_statement(client, nine_of_ten):
    sealed = Path(render(nine_of_ten.certificate.versions.get()).file.path).read_bytes()
    result = check(client, sealed).json()
    assert result["verdict"] == "valid" and result["kind"] == "pdf"
    assert result["certificate"]["kind"] == "statement" and result["certificate"]["note"] == STATEMENT_NOTE
