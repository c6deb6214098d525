"""Item 5 of the outcomes: outcomes, competencies not proven, objections, assessor agreement."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assessments import services
from reports import selectors as reports
from reports.selectors import Agreement

from .. import factories, flows

pytestmark = pytest.mark.django_db


def test_cohens_kappa_and_percentage_agreement():
    # 10 judgements, 8 agreed; first said yes 6 times, second 6 times: po .8, pe .52, kappa .58.
    row = Agreement(label="x", assessments=2, judgements=10, agreed=8, first_yes=6, second_yes=6)
    assert row.percentage == 80.0
    assert row.kappa == 0.58
    always = Agreement(label="x", assessments=1, judgements=3, agreed=3, first_yes=3, second_yes=3)
    assert always.percentage == 100.0 and always.kappa is None


def test_agreement_counts_first_judgements_before_reconciliation(assessment, qualification):
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor, not_proven={2})
    second_competency = qualification.competencies.get(order=2)
    services.judgement_revise(
        actor=assessment.second_assessor,
        assessment=assessment,
        competency_id=second_competency.pk,
        proven=True,
        reason="Seen again",
    )
    flows.refresh_reports()
    per_competency, per_pair = reports.assessor_agreement()
    row = next(r for r in per_competency if second_competency.code in r.label)
    assert (row.assessments, row.judgements, row.agreed, row.percentage) == (1, 1, 0, 0.0)
    assert len(per_pair) == 1
    pair = per_pair[0]
    assert (pair.assessments, pair.judgements, pair.agreed, pair.percentage) == (1, 10, 9, 90.0)


def test_outcomes_per_month_and_competencies_not_proven(qualification, administrator):
    flows.certify(factories.AssessmentFactory(qualification=qualification))
    nine = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven=set(range(1, 11)))
    services.objection_lodge(
        actor=nine.candidate,
        assessment=nine,
        reason="R",
        competencies=list(qualification.competencies.filter(order=10)),
    )
    flows.refresh_reports()
    [month] = reports.outcomes_per_month()
    assert (month.certified, month.partial, month.statement, month.not_certified) == (1, 0, 1, 1)
    assert month.month.month == timezone.localdate().month
    top = reports.competencies_not_proven()
    assert top[0][0].order == 10 and top[0][1:] == (2, 3)
    assert dict(reports.objection_outcomes())["Open"] == 1


def test_reports_page_and_csv_for_administrators(client, administrator, qualification):
    nine = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    flows.refresh_reports()
    client.force_login(administrator)
    page = client.get("/assessments/reports/").content.decode()
    assert "Cohen" in page and "Outcomes per month" in page and nine.first_assessor.full_name in page
    response = client.get("/assessments/reports/outcomes.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Outcomes per month" and rows[1][1:] == ["0", "0", "1", "0"]
    assert any(row and row[0] == "Agreement per assessor pair" for row in rows)
    pair = rows[[r[0] if r else "" for r in rows].index("Agreement per assessor pair") + 1]
    assert pair[1:] == ["1", "10", "100.0", "1.0"]


def test_outcome_reports_export_as_excel_with_every_assessor_pair(client, administrator, qualification, monkeypatch):
    monkeypatch.setattr(reports, "PAIRS_SHOWN", 1)
    flows.decide(factories.AssessmentFactory(qualification=qualification))
    flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    flows.refresh_reports()
    client.force_login(administrator)
    response = client.get("/assessments/reports/")
    page = response.content.decode()
    assert 'href="/assessments/reports/outcomes.xlsx"' in page
    assert "At most 1 assessor pairs, those with the most judgements" in page
    assert len(dict(response.context["agreement"])["Per assessor pair"]) == 1
    response = client.get("/assessments/reports/outcomes.xlsx")
    assert "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Outcomes per month" and rows[1][1:5] == (1, 0, 1, 0)
    pairs = rows[[row[0] if row else None for row in rows].index("Agreement per assessor pair") + 1 :]
    assert [row[1:3] for row in pairs] == [(1, 10), (1, 10)]
    assert ("Open", 0) in [tuple(row[:2]) for row in rows]


def test_reports_page_does_not_grow_with_the_number_of_assessments(
    client, administrator, qualification, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    flows.refresh_reports()
    client.force_login(administrator)
    with CaptureQueriesContext(connection) as baseline:
        client.get("/assessments/reports/")
    for _ in range(3):
        flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={1})
    flows.refresh_reports()
    with django_assert_max_num_queries(len(baseline)):
        client.get("/assessments/reports/")
