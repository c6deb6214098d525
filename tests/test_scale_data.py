"""The data ``make bench-scale`` generates keep the shape the services give them (the generator
writes SQL beside the models, so a model that changes under it shows here, not in a benchmark
that nobody runs)."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from assessments.models import Assessment, Judgement, Objection, PortfolioItem, ScoreSheet
from audit.models import AuditEntry
from benchmarks.scale import fixed_rows
from benchmarks.scale_data import PASSWORD, generate
from certificates.models import Certificate, SupplementVersion
from notifications.models import Notification
from reports.models import StatusTally
from reports.services import reports_rebuild

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes PostgreSQL's SQL"),
]

SIZE = 2000


@pytest.fixture
def generated():
    call_command("loaddata", "qualification_0213", verbosity=0)
    with connection.cursor() as cursor:  # as in a whole suite: other tests' accounts used ids past 1,000
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), 1332)")
    return generate(connection, SIZE, fixed_rows(), log=lambda line: None)


def test_candidates_have_several_assessments_and_their_chains(generated):
    assert Assessment.objects.count() == SIZE == generated.counts["assessments_assessment"]
    per_candidate = Counter(Assessment.objects.values_list("candidate", flat=True))
    assert set(per_candidate.values()) == {1, 2, 3}
    statuses = Counter(Assessment.objects.values_list("status", flat=True))
    assert {"registered", "scoring", "reconciliation", "certified", "not_certified", "cancelled"} <= set(statuses)
    # A re-assessment follows a refusal of the same candidate, and says so in the trail.
    followed = Assessment.objects.filter(previous__isnull=False).select_related("previous")
    assert followed.exists()
    for assessment in followed:
        assert assessment.previous.candidate_id == assessment.candidate_id
        assert assessment.previous.status == "not_certified"
    assert AuditEntry.objects.filter(action="reassessment_scheduled").exists()
    # One open assessment per candidate at most (the database's constraint held during the load).
    assert not any(
        count > 1
        for count in Counter(
            Assessment.objects.filter(status__in=Assessment.OPEN).values_list("candidate", flat=True)
        ).values()
    )


def test_objections_portfolios_documents_and_emails_exist(generated):
    objections = Counter(Objection.objects.values_list("status", flat=True))
    assert set(objections) == {"open", "rejected", "upheld"}
    decided = Assessment.objects.filter(status__in=Assessment.DECIDED).count()
    assert 0.02 < sum(objections.values()) / decided < 0.12
    for objection in Objection.objects.filter(status="upheld").select_related("new_assessment"):
        assert objection.new_assessment.previous_id == objection.assessment_id
    assert PortfolioItem.objects.filter(competencies__isnull=False).exists()
    kinds = Counter(Certificate.objects.values_list("kind", flat=True))
    assert kinds["certificate"] == Assessment.objects.filter(status="certified").count()
    assert kinds["statement"] > 0
    assert Certificate.objects.filter(kind="statement", competencies__isnull=False).exists()
    assert SupplementVersion.objects.filter(status="ready").exclude(file="").count() >= len(Certificate.objects.all())
    assert Notification.objects.filter(status="sent").exists()


def test_score_sheets_hold_a_judgement_per_competency_for_two_assessors(generated):
    started = Assessment.objects.filter(started_at__isnull=False)
    assert ScoreSheet.objects.count() == 2 * started.count()
    assert Judgement.objects.count() == 2 * 10 * started.count()
    for assessment in started.filter(status="certified")[:20]:
        sheets = ScoreSheet.objects.filter(assessment=assessment)
        assert {sheet.assessor_id for sheet in sheets} == set(assessment.assessor_ids)


def test_the_trail_is_written_as_the_services_write_it(generated):
    entries = AuditEntry.objects.count()
    assert 15 * SIZE < entries < 25 * SIZE
    # Scoring records one entry per judgement given.
    assert AuditEntry.objects.filter(action="judgement_changed").count() == (
        Judgement.objects.filter(proven__isnull=False).count()
    )
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "account_created",
        "assessment_created",
        "portfolio_added",
        "assessment_started",
        "sheet_submitted",
        "decision",
        "certificate_issued",
        "statement_issued",
        "objection_lodged",
        "objection_decided",
        "supplement_queued",
    } <= actions
    # In time order, as written: ids follow the time.
    times = list(AuditEntry.objects.order_by("pk").values_list("created_at", flat=True))
    assert times == sorted(times)
    # Every generated account but the invited ones signs in with the benchmark's password.
    candidate = User.objects.filter(role="candidate").exclude(password__startswith="!").first()
    assert candidate.check_password(PASSWORD)


def test_the_reports_count_the_generated_assessments(generated):
    reports_rebuild()
    counted = sum(StatusTally.objects.filter(subject="assessment").values_list("count", flat=True))
    assert counted == SIZE
