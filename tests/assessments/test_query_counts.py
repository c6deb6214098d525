"""Pages run a number of SQL queries that does not grow with competencies, files or assessments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services

from .. import factories, flows, samples

pytestmark = pytest.mark.django_db


def build(competencies: int, indicators: int, files: int, disagreements: int = 1):
    qualification = factories.QualificationFactory(competencies=(competencies, indicators))
    assessment = factories.AssessmentFactory(qualification=qualification)
    for number in range(files):
        services.portfolio_item_add(
            actor=assessment.candidate,
            assessment=assessment,
            upload=samples.pdf(f"f{number}.pdf"),
            description="d",
            competencies=list(qualification.competencies.all()),
        )
    flows.started_and_ended(assessment)
    for assessor in (assessment.first_assessor, assessment.second_assessor):
        services.score_sheet_save(
            actor=assessor,
            sheet=flows.sheet_of(assessment, assessor),
            entries=[
                services.JudgementEntry(
                    competency_id=c.pk, proven=True, notes={i.pk: "seen" for i in c.indicators.all()}
                )
                for c in qualification.competencies.all()
            ],
        )
    return assessment


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["score_sheet", "detail"])
def test_assessor_pages_do_not_grow_with_the_standard_or_the_portfolio(client, django_assert_max_num_queries, page):
    small, large = build(2, 1, 1), build(12, 6, 6)
    suffix = {"score_sheet": "score-sheet/", "detail": ""}[page]
    client.force_login(small.first_assessor)
    baseline = count_queries(client, f"/assessments/{small.pk}/{suffix}")
    client.force_login(large.first_assessor)
    with django_assert_max_num_queries(baseline):
        client.get(f"/assessments/{large.pk}/{suffix}")


def test_reconciliation_does_not_grow_with_the_standard(client, django_assert_max_num_queries):
    def reconciling(size):
        assessment = build(size, size, 1)
        for assessor in (assessment.first_assessor, assessment.second_assessor):
            flows.judge(assessment, assessor, not_proven={1} if assessor == assessment.second_assessor else ())
        return assessment

    small, large = reconciling(2), reconciling(10)
    client.force_login(small.first_assessor)
    baseline = count_queries(client, f"/assessments/{small.pk}/reconciliation/")
    client.force_login(large.first_assessor)
    with django_assert_max_num_queries(baseline):
        client.get(f"/assessments/{large.pk}/reconciliation/")


@pytest.mark.parametrize("role", ["administrator", "assessor", "candidate"])
def test_dashboards_do_not_grow_with_the_number_of_assessments(client, django_assert_max_num_queries, role):
    assessor, candidate = factories.AssessorFactory(), factories.CandidateFactory()
    administrator = factories.AdministratorFactory()
    user = {"administrator": administrator, "assessor": assessor, "candidate": candidate}[role]

    def add(n):
        # One open assessment per candidate and qualification: each of another qualification.
        for _ in range(n):
            assessment = factories.AssessmentFactory(first_assessor=assessor, candidate=candidate)
            flows.start(assessment)

    add(2)
    client.force_login(user)
    baseline = count_queries(client, "/assessments/")
    add(15)
    with django_assert_max_num_queries(baseline):
        response = client.get("/assessments/")
    assert len(response.context["page"].object_list) == 17


def test_dashboards_paginate(client, administrator):
    qualification = factories.QualificationFactory()
    for _ in range(25):
        factories.AssessmentFactory(qualification=qualification)
    client.force_login(administrator)
    first = client.get("/assessments/")
    assert len(first.context["page"].object_list) == 20
    second = client.get("/assessments/" + first.context["page"].next_url).context["page"]
    assert len(second.object_list) == 5
    assert not set(second.object_list) & set(first.context["page"].object_list)
