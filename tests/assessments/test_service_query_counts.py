"""The SQL queries of each step of the procedure: what the rule needs and nothing else.

The reports are counted apart from the services (``reports``, decision 0024): a step of the
procedure reads and writes the procedure's rows, its audit entry, its e-mails and its webhooks (one
query for the endpoints per event a webhook tells of), and no report counter. A step that starts
doing more than this shows here.
"""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.services import decision
from certificates import api as certificates
from certificates import services as certificate_services

from .. import factories, flows

pytestmark = pytest.mark.django_db

# Step -> queries, on qualification 0213 (ten competencies). Savepoints count: the test runs in a
# transaction, so each step's own transaction is a savepoint here.
QUERIES = {
    "create": 10,
    "assessors changed": 7,
    "cancel": 9,
    "start": 15,
    "end": 6,
    "sheet saved": 20,
    "sheet submitted": 12,
    "deciding submit": 58,
    "certificate issued": 19,
    "certificate revoked": 10,
    "submit into reconciliation": 31,
    "deciding revision": 51,
    "objection lodged": 18,
    "objection rejected": 9,
    "objection upheld": 34,
    "re-assessment scheduled": 28,
}


def later(hours: int = 1):
    return timezone.now() + timedelta(hours=hours)


class Steps:
    """``with steps("name"):`` counts the queries of one step."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    @contextmanager
    def __call__(self, name: str):
        with CaptureQueriesContext(connection) as queries:
            yield
        self.counts[name] = len(queries)


def entries(assessment, not_proven=()):
    return [
        services.JudgementEntry(
            competency_id=competency.pk,
            proven=competency.order not in not_proven,
            justification="Not shown today." if competency.order in not_proven else "",
        )
        for competency in assessment.qualification.competencies.all()
    ]


def submit(step, steps, assessment, assessor, not_proven=()):
    sheet = flows.sheet_of(assessment, assessor)
    items = entries(assessment, not_proven)
    with steps(step):
        services.score_sheet_save(actor=assessor, sheet=sheet, entries=items, submit=True)


def procedure(qualification, administrator) -> dict[str, int]:
    steps = Steps()
    a, b, c, d, e, f = (factories.AssessorFactory() for _ in range(6))

    def create(first, second, counted=False):
        arguments = {
            "created_by": administrator,
            "candidate": factories.CandidateFactory(),
            "qualification": qualification,
            "first_assessor": first,
            "second_assessor": second,
            "scheduled_at": later(),
            "location": "Gent",
        }
        if not counted:
            return services.assessment_create(**arguments)
        with steps("create"):
            return services.assessment_create(**arguments)

    certified = create(a, b)  # first: what the process caches (content types) is cached before counting
    cancelled = create(a, b, counted=True)
    with steps("cancel"):
        services.assessment_cancel(actor=administrator, assessment=cancelled, reason="Withdrew")

    with steps("assessors changed"):
        services.assessment_assign_assessors(
            actor=administrator, assessment=certified, first_assessor=c, second_assessor=a
        )
    certified.refresh_from_db()
    with steps("start"):
        services.assessment_start(actor=c, assessment=certified)
    with steps("end"):
        services.assessment_end(actor=c, assessment=certified)
    sheet, items = flows.sheet_of(certified, c), entries(certified)
    with steps("sheet saved"):
        services.score_sheet_save(actor=c, sheet=sheet, entries=items)
    submit("sheet submitted", steps, certified, c)
    submit("deciding submit", steps, certified, a)
    certified.refresh_from_db()
    with steps("certificate revoked"):
        certificate_services.certificate_revoke(certificate=certified.certificate, actor=administrator, reason="Error")

    # The certificate alone: the decision's call of it held back, then made by itself.
    apart = create(a, b)
    flows.started_and_ended(apart)
    flows.judge(apart, a)
    with mock.patch.object(decision.certificates, "certificate_issue"):
        flows.judge(apart, b)
    apart.refresh_from_db()
    with steps("certificate issued"):
        certificates.certificate_issue(assessment=apart, actor=b)

    disputed = create(d, e)
    flows.started_and_ended(disputed)
    flows.judge(disputed, d, not_proven={10})
    submit("submit into reconciliation", steps, disputed, e, not_proven={9, 10})
    competency = qualification.competencies.get(order=9)
    with steps("deciding revision"):
        services.judgement_revise(actor=e, assessment=disputed, competency_id=competency.pk, proven=True, reason="Seen")
    disputed.refresh_from_db()
    with steps("objection lodged"):
        objection = services.objection_lodge(
            actor=disputed.candidate,
            assessment=disputed,
            competencies=list(qualification.competencies.filter(order=10)),
            reason="Too noisy",
        )
    with steps("objection upheld"):
        services.objection_decide(
            actor=administrator,
            objection=objection,
            upheld=True,
            reason="Agreed",
            first_assessor=a,
            second_assessor=f,
            scheduled_at=later(),
        )

    nothing = flows.decide(create(a, b), not_proven={10})
    rejected = services.objection_lodge(
        actor=nothing.candidate,
        assessment=nothing,
        competencies=list(qualification.competencies.filter(order=10)),
        reason="Unfair",
    )
    with steps("objection rejected"):
        services.objection_decide(actor=administrator, objection=rejected, upheld=False, reason="Followed")
    with steps("re-assessment scheduled"):
        services.reassessment_schedule(
            actor=administrator, previous=nothing, first_assessor=c, second_assessor=f, scheduled_at=later()
        )
    return steps.counts


def test_each_step_of_the_procedure_runs_its_own_queries_only(qualification, administrator):
    assert procedure(qualification, administrator) == QUERIES
