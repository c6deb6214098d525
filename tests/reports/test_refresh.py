"""The reports' counters have one writer (decision 0024): the refresh counts again what the audit
trail says changed since its last run, the rebuild counts everything again. Both give exactly the
figures computed from every row (``tests.report_reference``), after every step of the procedure."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from assessments import services
from assessments.models import Assessment
from audit.models import AuditEntry
from certificates import services as certificate_services
from reports import counting, selectors
from reports import services as report_services
from reports.models import CountedAssessment, ReportState

from .. import factories, flows, report_reference

pytestmark = pytest.mark.django_db


def reports_from_counters():
    return (
        selectors.report_figures(),
        selectors.outcomes_per_month(),
        selectors.competencies_not_proven(),
        selectors.objection_outcomes(),
        selectors.assessor_agreement(pairs=None),
    )


def reports_from_every_row():
    return (
        report_reference.report_figures(),
        report_reference.outcomes_per_month(),
        report_reference.competencies_not_proven(),
        report_reference.objection_outcomes(),
        report_reference.assessor_agreement(),
    )


def counters() -> dict:
    """Every counter that is not zero, by table and key."""
    tables = {}
    for model, keys in counting.KEYS.items():
        fields = [f.name for f in model._meta.concrete_fields if f.get_internal_type() == "BigIntegerField"]
        for row in model.objects.values(*keys, *fields):
            numbers = tuple(row[f] for f in fields)
            if any(numbers):
                tables[(model.__name__, *(row[k] for k in keys))] = numbers
    return tables


def later(hours: int = 1):
    return timezone.now() + timedelta(hours=hours)


def procedures(qualification, administrator):
    """A realistic mix of procedures, driven through the services; yields after every step."""
    longer = factories.QualificationFactory(max_assessment_hours=8)
    people = [factories.AssessorFactory() for _ in range(6)]
    a, b, c, d, e, f = people

    def create(first, second, qualification=qualification, hours=1):
        return services.assessment_create(
            created_by=administrator,
            candidate=factories.CandidateFactory(),
            qualification=qualification,
            first_assessor=first,
            second_assessor=second,
            scheduled_at=later(hours),
            location="Gent",
        )

    cancelled = create(a, b, hours=48)
    yield "created"
    services.assessment_cancel(actor=administrator, assessment=cancelled, reason="Withdrew")
    yield "cancelled"
    certified = create(a, b)
    services.assessment_assign_assessors(actor=administrator, assessment=certified, first_assessor=c, second_assessor=a)
    yield "assessors changed"
    flows.start(certified)
    yield "started"
    flows.overrun(certified, hours=7)
    yield "ended over time"
    flows.judge(certified, c)
    yield "first sheet submitted"
    flows.judge(certified, a)
    yield "certified"
    certified.refresh_from_db()
    certificate_services.certificate_revoke(certificate=certified.certificate, actor=administrator, reason="Error")
    yield "certificate revoked"
    within = create(a, b, qualification=longer)
    flows.start(within)
    flows.overrun(within, hours=7)
    yield "ended within a longer maximum"
    statement = flows.decide(create(a, b), not_proven={9, 10})
    yield "decided with a statement"
    upheld = services.objection_lodge(
        actor=statement.candidate,
        assessment=statement,
        competencies=list(qualification.competencies.filter(order=10)),
        reason="Too noisy",
    )
    yield "objection lodged"
    upheld = services.objection_decide(
        actor=administrator,
        objection=upheld,
        upheld=True,
        reason="Agreed",
        first_assessor=d,
        second_assessor=e,
        scheduled_at=later(),
    )
    yield "objection upheld"
    flows.decide(upheld.new_assessment)
    yield "new assessment certified"
    nothing = flows.decide(create(b, d), not_proven=set(range(1, 11)))
    rejected = services.objection_lodge(
        actor=nothing.candidate,
        assessment=nothing,
        competencies=list(qualification.competencies.filter(order=1)),
        reason="Unfair",
    )
    services.objection_decide(actor=administrator, objection=rejected, upheld=False, reason="Followed")
    yield "objection rejected"
    follow_up = services.reassessment_schedule(
        actor=administrator, previous=nothing, first_assessor=e, second_assessor=f, scheduled_at=later()
    )
    yield "re-assessment scheduled"
    flows.decide(follow_up, not_proven={3})
    yield "re-assessment decided"
    disputed = create(e, f)
    flows.started_and_ended(disputed)
    flows.judge(disputed, e, not_proven={2, 4})
    flows.judge(disputed, f, not_proven={4})
    yield "in reconciliation"
    competency = qualification.competencies.get(order=2)
    services.judgement_revise(actor=e, assessment=disputed, competency_id=competency.pk, proven=True, reason="Seen")
    yield "reconciled and decided"
    open_dispute = create(f, a)
    flows.started_and_ended(open_dispute)
    flows.judge(open_dispute, f, not_proven={5})
    flows.judge(open_dispute, a)
    yield "another in reconciliation"
    draft = create(b, c)
    flows.started_and_ended(draft)
    flows.judge(draft, b, submit=False)
    yield "a draft sheet"


# One sheet of two changes nothing the reports count: both must be in.
CHANGES_NOTHING_COUNTED = {"first sheet submitted"}


def test_the_refresh_counts_each_kind_of_change(qualification, administrator):
    flows.refresh_reports()
    for step in procedures(qualification, administrator):
        before = reports_from_counters()
        assert report_services.reports_refresh()
        after = reports_from_counters()
        assert after == reports_from_every_row(), step
        # The step itself left the counters alone: only the refresh moved them.
        assert (after != before) == (step not in CHANGES_NOTHING_COUNTED), step
    figures = selectors.report_figures()
    assert (figures.revoked, figures.overruns, figures.ended) == (1, 1, 9)
    per_competency, per_pair = selectors.assessor_agreement(pairs=None)
    assert sum(row.judgements - row.agreed for row in per_pair) == 2  # one disagreement in each dispute


def test_the_procedure_leaves_the_counters_alone(qualification, administrator):
    flows.refresh_reports()
    kept = counters()
    for _step in procedures(qualification, administrator):
        assert counters() == kept


def test_the_rebuild_recomputes_the_counters_of_the_refreshes(qualification, administrator):
    flows.refresh_reports()
    for _step in procedures(qualification, administrator):
        flows.refresh_reports()
    kept, rows = counters(), list(CountedAssessment.objects.order_by("pk").values())
    call_command("reports_rebuild", stdout=io.StringIO())
    assert counters() == kept
    assert list(CountedAssessment.objects.order_by("pk").values()) == rows
    assert reports_from_counters() == reports_from_every_row()


def test_the_first_refresh_counts_everything(qualification, administrator):
    for _step in procedures(qualification, administrator):
        pass
    assert not ReportState.objects.exists()
    assert report_services.reports_refresh()
    assert ReportState.objects.get().built_at is not None
    assert reports_from_counters() == reports_from_every_row()


def test_the_refresh_counts_what_the_audit_trail_names_and_the_rebuild_everything(qualification):
    """Data written beside the services (a bulk load, a restore) have no audit entry: the rebuild
    counts them, the refresh does not look for them."""
    flows.refresh_reports()
    beside = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    untouched = factories.AssessmentFactory(qualification=qualification)
    flows.refresh_reports()
    assert selectors.report_figures().total == 1
    report_services.reports_rebuild()
    assert selectors.report_figures().total == 2
    assert reports_from_counters() == reports_from_every_row()
    assert {beside.pk, untouched.pk} == set(CountedAssessment.objects.values_list("pk", flat=True))


def test_the_watermark_moves_past_entries_once_no_transaction_can_still_be_writing_before_them(
    qualification, administrator, settings
):
    assessment = factories.AssessmentFactory(qualification=qualification)
    flows.refresh_reports()
    flows.start(assessment)
    counted = []
    real = counting.facts

    def spy(assessments):
        counted.append(sorted(assessments.values_list("pk", flat=True)))
        return real(assessments)

    with mock.patch.object(report_services, "facts", side_effect=spy):
        # Young entries are read again by every refresh until they are older than the overlap.
        flows.refresh_reports()
        flows.refresh_reports()
        assert counted == [[assessment.pk], [assessment.pk]]
        settings.REPORTS_REFRESH_OVERLAP_SECONDS = 0
        flows.refresh_reports()
        counted.clear()
        flows.refresh_reports()
        assert counted == []
        flows.end(assessment)
        flows.refresh_reports()
        assert counted == [[assessment.pk]]
    assert dict(selectors.report_figures().by_status)["Scoring"] == 1


def test_the_watermark_does_not_trust_the_clock_that_wrote_an_entry(qualification, settings):
    """An entry stamped ahead (another machine's clock) settles like any other: by the time since
    a refresh read it."""
    settings.REPORTS_REFRESH_OVERLAP_SECONDS = 0
    assessment = factories.AssessmentFactory(qualification=qualification)
    flows.refresh_reports()
    ahead = AuditEntry.objects.create(
        action=AuditEntry.Action.ASSESSMENT_STARTED,
        subject_type=ContentType.objects.get_for_model(Assessment),
        subject_id=assessment.pk,
        summary="ahead",
        created_at=timezone.now() + timedelta(days=1),
    )
    flows.refresh_reports()
    flows.refresh_reports()
    assert ReportState.objects.get().watermark == ahead.pk


def test_the_rebuild_reads_again_only_the_entries_of_the_overlap(qualification, settings):
    assessment = factories.AssessmentFactory(qualification=qualification)
    flows.start(assessment)
    flows.end(assessment)
    settled, young = AuditEntry.objects.order_by("pk")
    overlap = timedelta(seconds=settings.REPORTS_REFRESH_OVERLAP_SECONDS)
    with mock.patch("django.utils.timezone.now", return_value=young.created_at + overlap - timedelta(microseconds=1)):
        report_services.reports_rebuild()
    assert ReportState.objects.get().watermark == settled.pk


def test_an_assessment_counted_again_without_a_change_changes_nothing(qualification, assessment):
    flows.decide(assessment, not_proven={3})
    flows.refresh_reports()
    kept = counters()
    with mock.patch.object(report_services, "_add") as add:
        flows.refresh_reports()
    add.assert_not_called()
    assert counters() == kept


def test_a_proof_of_partial_qualification_has_its_own_column(qualification_with_partials, administrator):
    def decided(not_proven):
        return flows.decide(
            factories.AssessmentFactory(qualification=qualification_with_partials), not_proven=not_proven
        )

    decided({8})  # both partial qualifications
    stray = decided({1, 5})  # a statement
    decided(set(range(1, 9)))  # nothing proven
    flows.decide(
        services.reassessment_schedule(
            actor=administrator,
            previous=stray,
            first_assessor=stray.first_assessor,
            second_assessor=stray.second_assessor,
            scheduled_at=later(),
        ),
        not_proven={5},
    )  # inbound completed by carrying over
    flows.refresh_reports()
    [month] = selectors.outcomes_per_month()
    assert (month.certified, month.partial, month.statement, month.not_certified) == (0, 2, 1, 1)
    assert reports_from_counters() == reports_from_every_row()
    kept = counters()
    report_services.reports_rebuild()
    assert counters() == kept


def test_the_page_shows_the_pairs_with_the_most_judgements(qualification, monkeypatch):
    monkeypatch.setattr(selectors, "PAIRS_SHOWN", 1)
    flows.decide(factories.AssessmentFactory(qualification=qualification))
    busy = factories.AssessmentFactory(qualification=qualification)
    flows.decide(busy)
    again = factories.AssessmentFactory(
        qualification=qualification, first_assessor=busy.second_assessor, second_assessor=busy.first_assessor
    )
    flows.decide(again)
    flows.refresh_reports()
    _per_competency, shown = selectors.assessor_agreement(pairs=selectors.PAIRS_SHOWN)
    assert [(row.assessments, row.judgements) for row in shown] == [(2, 20)]
    assert len(selectors.assessor_agreement(pairs=None)[1]) == 2


def test_overruns_follow_a_later_change_of_the_maximum(qualification, assessment):
    flows.start(assessment)
    flows.overrun(assessment, hours=7)
    flows.refresh_reports()
    assert selectors.report_figures().overruns == 1
    qualification.max_assessment_hours = 7
    qualification.save()
    assert selectors.report_figures().overruns == 0
    assert selectors.report_figures() == report_reference.report_figures()


def test_a_counted_assessment_that_is_gone_takes_its_share_with_it(qualification, assessment):
    flows.start(assessment)
    flows.refresh_reports()
    assert selectors.report_figures().total == 1
    with mock.patch.object(report_services, "facts", return_value={}):
        flows.refresh_reports()
    assert selectors.report_figures().total == 0
    assert not CountedAssessment.objects.exists()
    assert Assessment.objects.filter(pk=assessment.pk).exists()
