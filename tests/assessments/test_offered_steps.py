"""The pages offer a step exactly when its service would take it: the selectors that show or hide
an action ask the service's own check. Each test changes that check (refusing where the rule
says yes, accepting where it says no) and expects the page's offer to follow."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import selectors, services
from assessments.models import Assessment
from assessments.services import chain, lifecycle, objection, scoring

from .. import factories, flows

pytestmark = pytest.mark.django_db


def refuse(*args, **kwargs):
    raise ValidationError("Refused by the changed rule.", code="changed_rule")


def accept(*args, **kwargs):
    return None


def registered() -> Assessment:
    return factories.AssessmentFactory(scheduled_at=timezone.now() + timedelta(minutes=30))


def scoring_without_end() -> Assessment:
    return flows.start(registered())


def in_reconciliation() -> Assessment:
    assessment = flows.started_and_ended(registered())
    flows.judge(assessment, assessment.first_assessor)
    flows.judge(assessment, assessment.second_assessor, not_proven={1})
    assessment.refresh_from_db()
    return assessment


def not_certified() -> Assessment:
    return flows.decide(registered(), not_proven={1})


def objected() -> Assessment:
    assessment = not_certified()
    services.objection_lodge(
        actor=assessment.candidate,
        assessment=assessment,
        competencies=list(assessment.qualification.competencies.filter(order=1)),
        reason="Too noisy.",
    )
    return assessment


def rejected() -> Assessment:
    assessment = objected()
    services.objection_reject(actor=factories.AdministratorFactory(), objection=assessment.objection, reason="No.")
    return assessment


def administrator(assessment: Assessment):
    return factories.AdministratorFactory()


def first_assessor(assessment: Assessment):
    return assessment.first_assessor


def candidate(assessment: Assessment):
    return assessment.candidate


@dataclass
class Offer:
    """A step a page offers: where its rule lives, who looks, and states where the rule says yes and no."""

    name: str
    module: object
    check: str
    viewer: Callable
    allowed_state: Callable[[], Assessment]
    refused_state: Callable[[], Assessment]
    offered: Callable[[Assessment, object], bool]


def _step(name: str) -> Callable[[Assessment, object], bool]:
    return lambda assessment, user: bool(getattr(selectors.next_steps(assessment, user), name))


def _outcome(name: str) -> Callable[[Assessment, object], bool]:
    return lambda assessment, user: getattr(selectors.outcome(assessment, user), name)


OFFERS = [
    Offer(
        "reschedule",
        lifecycle,
        "assessment_check_schedulable",
        administrator,
        registered,
        scoring_without_end,
        _step("reschedule"),
    ),
    Offer(
        "change assessors",
        lifecycle,
        "assessment_check_assessors_changeable",
        administrator,
        registered,
        scoring_without_end,
        _step("change_assessors"),
    ),
    Offer(
        "record the start",
        lifecycle,
        "assessment_check_startable",
        first_assessor,
        registered,
        scoring_without_end,
        _step("start"),
    ),
    Offer(
        "record the end",
        lifecycle,
        "assessment_check_endable",
        first_assessor,
        scoring_without_end,
        registered,
        _step("end"),
    ),
    Offer(
        "score sheet",
        scoring,
        "scoring_check_open",
        first_assessor,
        scoring_without_end,
        in_reconciliation,
        _step("score_sheet"),
    ),
    Offer("object", objection, "objection_check_lodgeable", candidate, not_certified, objected, _outcome("can_object")),
    Offer(
        "re-assess",
        chain,
        "reassessment_check_schedulable",
        administrator,
        not_certified,
        objected,
        _outcome("can_reassess"),
    ),
    Offer(
        "decide the objection",
        objection,
        "objection_check_open",
        administrator,
        objected,
        rejected,
        _outcome("can_decide_objection"),
    ),
]


@pytest.mark.parametrize("offer", OFFERS, ids=lambda offer: offer.name)
def test_a_step_the_rule_refuses_is_not_offered(offer, monkeypatch):
    assessment = offer.allowed_state()
    user = offer.viewer(assessment)
    assert offer.offered(assessment, user)
    monkeypatch.setattr(offer.module, offer.check, refuse)
    assert not offer.offered(assessment, user)


@pytest.mark.parametrize("offer", OFFERS, ids=lambda offer: offer.name)
def test_a_step_the_rule_accepts_is_offered(offer, monkeypatch):
    assessment = offer.refused_state()
    user = offer.viewer(assessment)
    assert not offer.offered(assessment, user)
    monkeypatch.setattr(offer.module, offer.check, accept)
    assert offer.offered(assessment, user)


def test_the_start_window_is_shown_while_the_rule_says_too_early(settings):
    settings.ASSESSMENT_START_EARLIEST_MINUTES = 10
    assessment = registered()
    steps = selectors.next_steps(assessment, assessment.first_assessor)
    assert not steps.start and steps.start_opens_at == assessment.start_opens_at
    settings.ASSESSMENT_START_EARLIEST_MINUTES = 60
    steps = selectors.next_steps(assessment, assessment.first_assessor)
    assert steps.start and steps.start_opens_at is None


def test_the_reconciliation_page_offers_revisions_as_the_rule_says(client, monkeypatch):
    assessment = in_reconciliation()
    client.force_login(assessment.first_assessor)
    url = f"/assessments/{assessment.pk}/reconciliation/"
    assert client.get(url).context["open_for_me"]
    monkeypatch.setattr(services, "reconciliation_check_open", refuse)
    assert not client.get(url).context["open_for_me"]
