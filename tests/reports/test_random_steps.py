"""Random walks through the procedure, refreshing at random moments: the counters always end equal
to the figures computed from every row, and the rebuild gives the very same counters."""

import random
from contextlib import suppress
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import selectors as assessment_selectors
from assessments import services
from assessments.models import Assessment, Judgement, Objection
from certificates import services as certificate_services
from reports import services as report_services

from .. import factories, flows
from .test_refresh import counters, reports_from_counters, reports_from_every_row

pytestmark = pytest.mark.django_db

Status = Assessment.Status


class Walk:
    def __init__(self, seed: int, qualification, administrator):
        self.random = random.Random(seed)
        self.qualification = qualification
        self.administrator = administrator
        self.assessors = [factories.AssessorFactory() for _ in range(6)]
        self.candidates = [factories.CandidateFactory() for _ in range(8)]

    def later(self):
        return timezone.now() + timedelta(hours=1)

    def two_assessors(self, besides=()):
        return self.random.sample([a for a in self.assessors if a.pk not in besides], 2)

    def step(self) -> None:
        """One step someone could take now, chosen at random; a step the rules refuse is skipped."""
        assessments = Assessment.objects.exclude(status=Status.CANCELLED).select_related("qualification", "candidate")
        options = [self.create] + [lambda a=a: self.advance(a) for a in assessments.order_by("pk")]
        with suppress(ValidationError):
            self.random.choice(options)()

    def create(self) -> None:
        first, second = self.two_assessors()
        services.assessment_create(
            created_by=self.administrator,
            candidate=self.random.choice(self.candidates),
            qualification=self.qualification,
            first_assessor=first,
            second_assessor=second,
            scheduled_at=self.later(),
            location="Gent",
        )

    def advance(self, assessment: Assessment) -> None:
        pick = self.random.choice
        if assessment.status == Status.REGISTERED:
            pick([self.start, self.start, self.start, self.cancel, self.reassign])(assessment)
        elif assessment.status == Status.SCORING:
            if assessment.ended_at is None:
                flows.end(assessment)
            else:
                self.submit(assessment)
        elif assessment.status == Status.RECONCILIATION:
            self.revise(assessment)
        elif assessment.status == Status.NOT_CERTIFIED:
            objection = Objection.objects.filter(assessment=assessment).first()
            if objection is not None and objection.is_open:
                self.decide_objection(objection)
            else:
                pick([self.object, self.reassess])(assessment)
        elif assessment.status == Status.CERTIFIED and not assessment.certificate.is_revoked:
            certificate_services.certificate_revoke(
                certificate=assessment.certificate, actor=self.administrator, reason="Issued in error"
            )

    def start(self, assessment):
        flows.start(assessment)

    def cancel(self, assessment):
        services.assessment_cancel(actor=self.administrator, assessment=assessment, reason="Withdrew")

    def reassign(self, assessment):
        first, second = self.two_assessors()
        services.assessment_assign_assessors(
            actor=self.administrator, assessment=assessment, first_assessor=first, second_assessor=second
        )

    def submit(self, assessment):
        drafts = [s for s in assessment_selectors.score_sheets(assessment) if not s.is_submitted]
        sheet = self.random.choice(drafts)
        orders = range(1, 11)
        # Mostly in agreement with the other sheet when it is in, sometimes not.
        other = Judgement.objects.filter(sheet__assessment=assessment, proven=False).exclude(sheet=sheet)
        not_proven = {j.competency.order for j in other}
        if not other or self.random.random() < 0.4:
            not_proven = set(self.random.sample(orders, self.random.choice([0, 0, 1, 2, 10])))
        flows.judge(assessment, sheet.assessor, not_proven=not_proven)

    def revise(self, assessment):
        pair = self.random.choice([p for p in assessment_selectors.competency_pairs(assessment) if not p.agreed])
        judgement = self.random.choice([pair.first, pair.second])
        services.judgement_revise(
            actor=judgement.sheet.assessor,
            assessment=assessment,
            competency_id=pair.competency.pk,
            proven=not judgement.proven,
            reason="Seen again",
        )

    def object(self, assessment):
        disputed = Judgement.objects.filter(
            sheet__assessment=assessment, sheet__assessor=assessment.first_assessor, proven=False
        )
        services.objection_lodge(
            actor=assessment.candidate,
            assessment=assessment,
            competencies=[j.competency for j in disputed[:1]],
            reason="Unfair",
        )

    def decide_objection(self, objection):
        disputed = objection.assessment
        first, second = self.two_assessors(besides=disputed.assessor_ids)
        services.objection_decide(
            actor=self.administrator,
            objection=objection,
            upheld=self.random.random() < 0.5,
            reason="Considered",
            first_assessor=first,
            second_assessor=second,
            scheduled_at=self.later(),
        )

    def reassess(self, assessment):
        first, second = self.two_assessors()
        services.reassessment_schedule(
            actor=self.administrator,
            previous=assessment,
            first_assessor=first,
            second_assessor=second,
            scheduled_at=self.later(),
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counters_equal_the_figures_of_every_row_after_random_steps(qualification, administrator, seed):
    walk = Walk(seed, qualification, administrator)
    for _ in range(70):
        walk.step()
        if walk.random.random() < 0.2:
            assert report_services.reports_refresh()
    assert report_services.reports_refresh()
    assert reports_from_counters() == reports_from_every_row()
    statuses = set(Assessment.objects.values_list("status", flat=True))
    assert len(statuses) >= 4, statuses  # the walk went somewhere
    kept = counters()
    report_services.reports_rebuild()
    assert counters() == kept
