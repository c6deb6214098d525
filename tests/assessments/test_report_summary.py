"""The reports' summary, kept by the services, gives exactly the figures computed from every row
(``tests.report_reference``, the computation before the summary), after every step of the
procedure; ``report_summary_rebuild`` recomputes the same counters from the data."""

import io
import types
from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import report_summary, reports, selectors, services
from assessments.services import chain, lifecycle, objection, reconciliation, scoring
from certificates import services as certificate_services

from .. import factories, flows, report_reference

pytestmark = pytest.mark.django_db


def reports_from_summary():
    return (
        selectors.report_figures(),
        reports.outcomes_per_month(),
        reports.competencies_not_proven(),
        reports.objection_outcomes(),
        reports.assessor_agreement(pairs=None),
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
    """Every counter of the summary that is not zero, by table and key."""
    tables = {}
    for model, keys in report_summary.KEYS.items():
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


def test_the_summary_gives_the_figures_of_every_row_after_every_step(qualification, administrator):
    for step in procedures(qualification, administrator):
        assert reports_from_summary() == reports_from_every_row(), step
    figures = selectors.report_figures()
    assert (figures.revoked, figures.overruns, figures.ended) == (1, 1, 9)
    per_competency, per_pair = reports.assessor_agreement(pairs=None)
    assert sum(row.judgements - row.agreed for row in per_pair) == 2  # one disagreement in each dispute


def test_the_rebuild_recomputes_the_same_counters(qualification, administrator):
    for _step in procedures(qualification, administrator):
        pass
    kept = counters()
    call_command("report_summary_rebuild", stdout=io.StringIO())
    assert counters() == kept
    assert reports_from_summary() == reports_from_every_row()


def test_the_rebuild_counts_data_written_beside_the_services(qualification, administrator):
    flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    for model in report_summary.KEYS:
        model.objects.all().delete()
    assert selectors.report_figures().total == 0
    report_summary.summary_rebuild()
    assert selectors.report_figures().total == 1
    assert reports_from_summary() == reports_from_every_row()


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
    [month] = reports.outcomes_per_month()
    assert (month.certified, month.partial, month.statement, month.not_certified) == (0, 2, 1, 1)
    assert reports_from_summary() == reports_from_every_row()
    kept = counters()
    report_summary.summary_rebuild()
    assert counters() == kept


def _not_updating():
    return types.SimpleNamespace(tracked=lambda assessment: nullcontext(), added=lambda assessment: None)


@pytest.mark.parametrize("module", [lifecycle, scoring, reconciliation, objection, chain, certificate_services])
def test_a_service_that_stops_updating_the_summary_is_caught(qualification, administrator, monkeypatch, module):
    monkeypatch.setattr(module, "report_summary", _not_updating())
    with pytest.raises(AssertionError):
        for step in procedures(qualification, administrator):
            assert reports_from_summary() == reports_from_every_row(), step


def test_the_page_shows_the_pairs_with_the_most_judgements(qualification, monkeypatch):
    monkeypatch.setattr(reports, "PAIRS_SHOWN", 1)
    flows.decide(factories.AssessmentFactory(qualification=qualification))
    busy = factories.AssessmentFactory(qualification=qualification)
    flows.decide(busy)
    again = factories.AssessmentFactory(
        qualification=qualification, first_assessor=busy.second_assessor, second_assessor=busy.first_assessor
    )
    flows.decide(again)
    _per_competency, shown = reports.assessor_agreement(pairs=reports.PAIRS_SHOWN)
    assert [(row.assessments, row.judgements) for row in shown] == [(2, 20)]
    assert len(reports.assessor_agreement(pairs=None)[1]) == 2


def test_overruns_follow_a_later_change_of_the_maximum(qualification, assessment):
    flows.start(assessment)
    flows.overrun(assessment, hours=7)
    assert selectors.report_figures().overruns == 1
    qualification.max_assessment_hours = 7
    qualification.save()
    assert selectors.report_figures().overruns == 0
    assert selectors.report_figures() == report_reference.report_figures()
