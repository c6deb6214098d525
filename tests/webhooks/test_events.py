"""Each step of the procedure sends its webhook exactly once, recorded in the step's transaction and
handed to the worker after its commit; the message names ids, never personal data."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from assessments import services as assessments
from certificates import services as certificates
from webhooks import services
from webhooks.models import Delivery, Event

from .. import factories, flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(administrator):
    """An endpoint subscribed to every event (nothing is sent: the tests read what was recorded)."""
    return services.endpoint_create(
        actor=administrator, url="https://hooks.example.org/portal", description="", events=Event.values
    )


def recorded() -> list[str]:
    return list(Delivery.objects.order_by("pk").values_list("event", flat=True))


def messages(event: str) -> list[dict]:
    return [json.loads(body) for body in Delivery.objects.filter(event=event).values_list("body", flat=True)]


def scheduled(qualification, administrator):
    return assessments.assessment_create(
        created_by=administrator,
        candidate=factories.CandidateFactory(email="private.person@example.org"),
        qualification=qualification,
        first_assessor=factories.AssessorFactory(),
        second_assessor=factories.AssessorFactory(),
        scheduled_at=timezone.now() + timedelta(hours=1),
        location="Room 1",
    )


def test_scheduling_moving_and_cancelling_each_send_one(subscribed, qualification, administrator):
    assessment = scheduled(qualification, administrator)
    assert recorded() == [Event.ASSESSMENT_SCHEDULED]
    assessments.assessment_reschedule(
        actor=administrator,
        assessment=assessment,
        scheduled_at=timezone.now() + timedelta(days=4),
        location="Room 2",
        reason="Room taken",
    )
    assert recorded()[1:] == [Event.ASSESSMENT_RESCHEDULED]
    assessments.assessment_cancel(actor=administrator, assessment=assessment, reason="Candidate ill")
    assert recorded()[2:] == [Event.ASSESSMENT_CANCELLED]
    (message,) = messages(Event.ASSESSMENT_RESCHEDULED)
    assert message["type"] == "assessment.rescheduled"
    assert message["data"]["assessment"] == assessment.pk
    assert (
        message["data"]["scheduled_at"] == assessment.__class__.objects.get(pk=assessment.pk).scheduled_at.isoformat()
    )
    assert "timestamp" in message


def test_a_certification_sends_the_decision_and_the_issued_document_once_each(subscribed, assessment):
    flows.certify(assessment)
    assert sorted(recorded()) == sorted([Event.ASSESSMENT_DECIDED, Event.DOCUMENT_ISSUED])
    (issued,) = messages(Event.DOCUMENT_ISSUED)
    assert issued["data"] == {
        "assessment": assessment.pk,
        "document": assessment.certificate.number,
        "kind": "certificate",
    }
    (decided,) = messages(Event.ASSESSMENT_DECIDED)
    assert decided["data"]["status"] == "certified"


def test_a_revocation_sends_one(subscribed, assessment, administrator):
    flows.certify(assessment)
    certificates.certificate_revoke(certificate=assessment.certificate, actor=administrator, reason="Fraud")
    assert recorded().count(Event.DOCUMENT_REVOKED) == 1
    assert recorded().count(Event.DOCUMENT_ISSUED) == 1


def test_an_objection_lodged_and_decided_each_send_one(subscribed, assessment, administrator):
    flows.decide(assessment, not_proven={10})
    objection = assessments.objection_lodge(
        actor=assessment.candidate,
        assessment=assessment,
        competencies=list(assessment.qualification.competencies.filter(order=10)),
        reason="Cut short.",
    )
    assessments.objection_decide(actor=administrator, objection=objection, upheld=False, reason="Observed in full.")
    assert recorded().count(Event.OBJECTION_LODGED) == 1
    assert recorded().count(Event.OBJECTION_DECIDED) == 1
    (decided,) = messages(Event.OBJECTION_DECIDED)
    assert decided["data"] == {
        "assessment": assessment.pk,
        "objection": objection.pk,
        "status": "rejected",
        "new_assessment": None,
    }


def test_no_message_carries_personal_data(subscribed, qualification, administrator):
    assessment = scheduled(qualification, administrator)
    flows.certify(assessment)
    bodies = " ".join(Delivery.objects.values_list("body", flat=True))
    candidate = assessment.candidate
    assert candidate.email not in bodies
    assert candidate.last_name not in bodies
    assert "Room 1" not in bodies


def test_an_endpoint_receives_only_the_events_it_chose_and_a_disabled_one_none(subscribed, assessment, administrator):
    revocations = services.endpoint_create(
        actor=administrator, url="https://other.example.org/", description="", events=[Event.DOCUMENT_REVOKED]
    )
    disabled = services.endpoint_create(
        actor=administrator, url="https://off.example.org/", description="", events=Event.values
    )
    services.endpoint_update(
        actor=administrator, endpoint=disabled, url=disabled.url, description="", events=Event.values, is_active=False
    )
    flows.certify(assessment)
    certificates.certificate_revoke(certificate=assessment.certificate, actor=administrator, reason="Fraud")
    assert list(revocations.deliveries.values_list("event", flat=True)) == [Event.DOCUMENT_REVOKED]
    assert not disabled.deliveries.exists()


def test_a_step_rolled_back_records_and_sends_nothing(
    subscribed, qualification, administrator, monkeypatch, django_capture_on_commit_callbacks
):
    handed = []
    monkeypatch.setattr(services, "send_to_worker", handed.append)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        scheduled(qualification, administrator)
        raise RuntimeError("the request failed after the step")
    assert callbacks == []
    assert recorded() == []
    assert handed == []


def test_messages_are_handed_to_the_worker_once_after_the_commit(
    subscribed, qualification, administrator, django_capture_on_commit_callbacks, monkeypatch
):
    handed = []
    monkeypatch.setattr("webhooks.tasks.send_delivery.delay", handed.append)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled(qualification, administrator)
        assert handed == []  # not before the commit
    (delivery,) = Delivery.objects.all()
    assert handed == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.queued_at is not None
