"""One valid result per candidate and qualification: no second assessment while one is open or a
valid certificate is held, whichever way an assessment is scheduled; the procedure's own
follow-ups replace a decided assessment and are allowed."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import services
from assessments.models import Assessment
from certificates import services as certificates
from certificates.models import Certificate

from ... import factories, flows
from ...rules import breaks_rule

pytestmark = pytest.mark.django_db
Status = Assessment.Status


def schedule(earlier: Assessment, qualification=None) -> Assessment:
    """A new assessment of the same candidate (and, unless told, the same qualification)."""
    return services.assessment_create(
        created_by=factories.AdministratorFactory(),
        candidate=earlier.candidate,
        qualification=qualification or earlier.qualification,
        first_assessor=factories.AssessorFactory(),
        second_assessor=factories.AssessorFactory(),
        scheduled_at=timezone.now() + timedelta(days=2),
    )


def test_a_candidate_who_holds_a_valid_certificate_is_not_scheduled_again():
    certified = flows.certify(factories.AssessmentFactory())
    with breaks_rule("already_certified", "candidate"):
        schedule(certified)
    assert Assessment.objects.filter(candidate=certified.candidate).count() == 1


def test_a_revoked_certificate_does_not_count():
    certified = flows.certify(factories.AssessmentFactory())
    certificates.certificate_revoke(
        certificate=certified.certificate, actor=factories.AdministratorFactory(), reason="Fraud found"
    )
    assert schedule(certified).status == Status.REGISTERED


@pytest.mark.parametrize("stage", ["registered", "scoring", "reconciliation"])
def test_a_candidate_with_an_open_assessment_of_the_qualification_gets_no_second(stage):
    earlier = factories.AssessmentFactory()
    if stage != "registered":
        flows.started_and_ended(earlier)
        flows.judge(earlier, earlier.first_assessor)
    if stage == "reconciliation":
        flows.judge(earlier, earlier.second_assessor, not_proven={1})
    earlier.refresh_from_db()
    assert earlier.status == stage
    with breaks_rule("assessment_open", "candidate"):
        schedule(earlier)
    assert Assessment.objects.filter(candidate=earlier.candidate).count() == 1


@pytest.mark.parametrize("outcome", ["cancelled", "not_certified"])
def test_a_finished_assessment_does_not_block_a_new_one(outcome):
    earlier = factories.AssessmentFactory()
    if outcome == "cancelled":
        services.assessment_cancel(actor=factories.AdministratorFactory(), assessment=earlier, reason="Ill")
    else:
        flows.decide(earlier, not_proven={1})
    assert schedule(earlier).status == Status.REGISTERED


def decided_with_objection(qualification):
    """Nine of ten proven, and the candidate objects to the tenth."""
    decided = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    objection = services.objection_lodge(
        actor=decided.candidate,
        assessment=decided,
        competencies=list(decided.qualification.competencies.filter(order=10)),
        reason="The observation was cut short.",
    )
    return decided, objection


def test_an_open_objection_to_a_decision_on_the_qualification_blocks_a_fresh_assessment(qualification):
    """The objection may yet bring the new assessment: a fresh one now would make two."""
    decided, objection = decided_with_objection(qualification)
    with breaks_rule("objection_open", "candidate"):
        schedule(decided)
    # Upheld, the objection's own new assessment is the one that follows.
    services.objection_decide(
        actor=factories.AdministratorFactory(),
        objection=objection,
        upheld=True,
        reason="The room was too noisy.",
        first_assessor=factories.AssessorFactory(),
        second_assessor=factories.AssessorFactory(),
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    assert Assessment.objects.filter(previous=decided).count() == 1


def test_a_decided_objection_no_longer_blocks(qualification):
    decided, objection = decided_with_objection(qualification)
    services.objection_decide(
        actor=factories.AdministratorFactory(), objection=objection, upheld=False, reason="The session was complete."
    )
    assert schedule(decided).status == Status.REGISTERED


def test_another_qualification_is_not_blocked():
    earlier = factories.AssessmentFactory()
    assert schedule(earlier, qualification=factories.QualificationFactory()).candidate == earlier.candidate


def test_the_database_holds_one_open_assessment_per_candidate_and_qualification():
    earlier = factories.AssessmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AssessmentFactory(candidate=earlier.candidate, qualification=earlier.qualification)
    factories.AssessmentFactory(
        candidate=earlier.candidate, qualification=earlier.qualification, status=Status.CANCELLED
    )


def test_a_certificate_held_is_not_issued_twice_for_the_same_qualification():
    """Assessments stored before the rule existed may both end certified: the second gets none."""
    certified = flows.certify(factories.AssessmentFactory())
    second = factories.AssessmentFactory(
        candidate=certified.candidate, qualification=certified.qualification, status=Status.CERTIFIED
    )
    with breaks_rule("already_certified"):
        certificates.certificate_issue(assessment=second)
    assert Certificate.objects.filter(kind=Certificate.Kind.CERTIFICATE).count() == 1
    certificates.certificate_revoke(
        certificate=certified.certificate, actor=factories.AdministratorFactory(), reason="Fraud found"
    )
    assert certificates.certificate_issue(assessment=second).assessment == second


def test_the_form_says_why_beside_the_candidate(client, administrator):
    earlier = factories.AssessmentFactory()
    client.force_login(administrator)
    when = timezone.localtime() + timedelta(days=3)
    response = client.post(
        "/assessments/new/",
        {
            "candidate": earlier.candidate.email,
            "qualification": earlier.qualification.pk,
            "first_assessor": factories.AssessorFactory().email,
            "second_assessor": factories.AssessorFactory().email,
            "scheduled_at": f"{when:%Y-%m-%dT%H:%M}",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["candidate"] == [
        "The candidate already has an open assessment of this qualification."
    ]


def test_an_import_refuses_a_second_row_for_the_same_candidate_and_qualification(client, administrator):
    from ..test_exports_and_imports import ASSESSMENT_HEADER, in_days, upload

    candidate, qualification = factories.CandidateFactory(), factories.QualificationFactory()
    first, second = factories.AssessorFactory(), factories.AssessorFactory()
    row = [candidate.email, qualification.code, first.email, second.email]
    client.force_login(administrator)
    rows = [ASSESSMENT_HEADER, [*row, in_days(3), ""], [*row, in_days(5), ""]]
    response = client.post("/assessments/import/", {"file": upload("plan.csv", rows), "import": "1"})
    problems = {r.number: " ".join(r.problems) for r in response.context["report"].problems}
    assert problems == {3: "The candidate already has an open assessment of this qualification."}
    assert not Assessment.objects.exists()


def test_when_the_database_is_first_to_refuse_it_gives_the_services_reason(monkeypatch):
    """The constraint is checked by the database as the row is inserted, not asked before: its
    refusal still reads as the rule's, not as a server error."""
    from django.core.exceptions import ValidationError

    from assessments.services import lifecycle

    earlier = factories.AssessmentFactory()
    monkeypatch.setattr(lifecycle, "_check_one_result", lambda **kwargs: None)
    with pytest.raises(ValidationError) as refused:
        schedule(earlier)
    assert refused.value.messages == ["The candidate already has an open assessment of this qualification."]
    assert [error.code for errors in refused.value.error_dict.values() for error in errors] == ["assessment_open"]
    assert Assessment.objects.filter(candidate=earlier.candidate).count() == 1


def test_an_import_the_database_refuses_lists_the_reason_per_row_and_keeps_nothing(monkeypatch, administrator):
    """Written all or none without savepoints, the import stops at the database's refusal, then
    checks each row in a savepoint of its own to say which one and why."""
    from assessments.forms import AssessmentsImportForm
    from assessments.services import lifecycle

    candidate, qualification = factories.CandidateFactory(), factories.QualificationFactory()
    first, second = factories.AssessorFactory(), factories.AssessorFactory()
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    row = {
        "candidate": candidate.email,
        "qualification": qualification.code,
        "first_assessor": first.email,
        "second_assessor": second.email,
        "scheduled_at": when,
    }
    rows = AssessmentsImportForm.parse([row, row])
    monkeypatch.setattr(lifecycle, "_check_one_result", lambda **kwargs: None)
    report = services.assessments_import(created_by=administrator, rows=rows, write=True)
    assert not report.written
    assert {r.number: r.problems for r in report.problems} == {
        3: ["The candidate already has an open assessment of this qualification."]
    }
    assert not Assessment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_administrators_scheduling_one_candidate_at_once_get_one_assessment_and_a_reason(monkeypatch):
    """Both pass the check before either saves, unless the candidate's row makes them queue: then
    the second is told why, instead of meeting the database's constraint (a server error)."""
    import contextlib
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connections

    from assessments.services import lifecycle

    candidate, qualification = factories.CandidateFactory(), factories.QualificationFactory()
    people = [(factories.AssessorFactory(), factories.AssessorFactory()) for _ in range(2)]
    both_checked = threading.Barrier(2)
    real_check = lifecycle._check_one_result

    def check_then_wait(**kwargs):
        real_check(**kwargs)
        # Hold the other one back until both checked, or until it is clear that it queues.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=3)

    monkeypatch.setattr(lifecycle, "_check_one_result", check_then_wait)
    outcomes = []

    def schedule_one(first, second):
        try:
            services.assessment_create(
                created_by=factories.AdministratorFactory(),
                candidate=candidate,
                qualification=qualification,
                first_assessor=first,
                second_assessor=second,
                scheduled_at=timezone.now() + timedelta(days=2),
            )
            outcomes.append("scheduled")
        except ValidationError as error:
            outcomes.append(error.error_dict["candidate"][0].code)
        except Exception as error:  # noqa: BLE001 - the defect: anything else is a server error
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=schedule_one, args=pair) for pair in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["assessment_open", "scheduled"]
    assert Assessment.objects.filter(candidate=candidate).count() == 1


def test_the_upgrade_cancels_an_open_assessment_beside_a_held_certificate_with_a_trace():
    """Scheduled before the rule, it could be neither decided (no second certificate) nor
    cancelled once started: the migration that brings the rule cancels it, and says so."""
    import importlib

    from django.apps import apps

    from audit.models import AuditEntry

    certified = flows.certify(factories.AssessmentFactory())
    stuck = factories.AssessmentFactory(candidate=certified.candidate, qualification=certified.qualification)
    flows.started_and_ended(stuck)
    untouched = factories.AssessmentFactory(candidate=certified.candidate)  # another qualification
    migration = importlib.import_module("assessments.migrations.0009_one_open_assessment_per_qualification")
    migration.cancel_second_results(apps, None)
    stuck.refresh_from_db(), untouched.refresh_from_db()
    assert stuck.status == Status.CANCELLED and "upgrade" in stuck.cancellation_reason
    assert untouched.status == Status.REGISTERED
    assert AuditEntry.objects.about(stuck).filter(action="assessment_cancelled").exists()
