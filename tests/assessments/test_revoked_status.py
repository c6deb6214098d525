"""A revoked certificate reads as revoked wherever the assessment's status shows."""

import pytest

from assessments import selectors
from assessments.models import Assessment
from certificates import services as certificate_services
from certificates.models import Certificate
from reports import selectors as report_selectors

from .. import factories, flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def revoked(assessment, administrator):
    flows.certify(assessment)
    certificate_services.certificate_revoke(
        certificate=assessment.certificate, actor=administrator, reason="Issued in error"
    )
    return assessment


@pytest.fixture
def valid(qualification):
    return flows.certify(factories.AssessmentFactory(qualification=qualification))


def test_the_display_status_reads_the_certificate(revoked, valid):
    shown = dict(Assessment.objects.with_display_status().values_list("pk", "display_status"))
    assert shown == {revoked.pk: "revoked", valid.pk: "certified"}
    # The procedure's own status is untouched: the revocation lives on the certificate only.
    assert Assessment.objects.get(pk=revoked.pk).status == Assessment.Status.CERTIFIED
    assert Assessment.objects.get(pk=revoked.pk).shown_status == "revoked"


def test_administrator_dashboard_shows_and_filters_revoked(client, administrator, revoked, valid):
    client.force_login(administrator)
    page = client.get("/assessments/").content.decode()
    assert 'data-status="revoked">Certificate revoked<' in page
    certified = {a.pk for a in client.get("/assessments/?status=certified").context["page"].object_list}
    assert certified == {valid.pk}
    assert {a.pk for a in client.get("/assessments/?status=revoked").context["page"].object_list} == {revoked.pk}


def test_assessment_page_and_other_dashboards_show_revoked(client, revoked):
    for person in (revoked.candidate, revoked.first_assessor):
        client.force_login(person)
        assert 'data-status="revoked">Certificate revoked<' in client.get("/assessments/").content.decode()
        page = client.get(f"/assessments/{revoked.pk}/").content.decode()
        assert 'data-status="revoked">Certificate revoked<' in page
        assert "the proof of professional qualification has since been revoked" in page
        assert ">Certified<" not in page


def test_report_counts_revoked_apart_from_certified(client, administrator, revoked, valid):
    flows.refresh_reports()
    figures = report_selectors.report_figures()
    assert (figures.decided, figures.certified, figures.revoked, figures.rate) == (2, 1, 1, 50)
    assert dict(figures.by_status)["Certificate revoked"] == 1
    assert dict(figures.by_status)["Certified"] == 1
    client.force_login(administrator)
    page = client.get("/assessments/reports/").content.decode()
    assert "Certificate revoked" in page and "1 (50 %)" in page


def test_only_revoked_is_not_a_certification_rate_of_100(revoked):
    flows.refresh_reports()
    figures = report_selectors.report_figures()
    assert (figures.certified, figures.revoked, figures.rate) == (0, 1, 0)


def test_the_timeline_names_the_document_issued_and_its_revocation(revoked):
    certificate = Certificate.objects.get(assessment=revoked)
    steps = {step.title: step for step in selectors.candidate_timeline(revoked).steps}
    issued = steps["Proof of professional qualification issued"]
    assert (issued.at, issued.note) == (certificate.issued_at, certificate.number)
    revocation = steps["Document revoked"]
    assert (revocation.at, revocation.note) == (certificate.revoked_at, certificate.number)


def test_the_export_names_each_rows_document_and_its_revocation_across_chunks(
    revoked, valid, qualification, monkeypatch
):
    undecided = factories.AssessmentFactory(qualification=qualification)
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 2)  # three rows: two chunks, each read with its documents
    rows = {row[3]: row[-2:] for row in selectors.assessment_export_rows()}
    numbers = dict(Certificate.objects.values_list("assessment__candidate__email", "number"))
    assert rows == {
        revoked.candidate.email: (numbers[revoked.candidate.email], "Revoked"),
        valid.candidate.email: (numbers[valid.candidate.email], ""),
        undecided.candidate.email: (None, ""),
    }
