"""A real Celery worker sends a step's webhook to a local receiver, which verifies it with the
Standard Webhooks library."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services as assessments
from webhooks import services
from webhooks.models import Delivery, Event

from .. import factories
from ..workers import Worker, broker, wait_for
from .receiver import Receiver, running

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_delivers_a_steps_webhook_that_the_receiver_verifies(qualification, administrator, tmp_path):
    url = "filesystem://localhost//"
    with running(Receiver()) as receiver, broker(url, tmp_path):
        endpoint = services.endpoint_create(
            actor=administrator, url=receiver.url, description="", events=[Event.ASSESSMENT_SCHEDULED]
        )
        receiver.secret = endpoint.secret
        worker = Worker(url, tmp_path, env={"WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "1"})
        try:
            assessment = assessments.assessment_create(
                created_by=administrator,
                candidate=factories.CandidateFactory(),
                qualification=qualification,
                first_assessor=factories.AssessorFactory(),
                second_assessor=factories.AssessorFactory(),
                scheduled_at=timezone.now() + timedelta(days=2),
            )  # the message is handed to the broker on commit
            try:
                (message,) = wait_for(lambda: receiver.verified, timeout=60, message="the webhook")
                delivered = wait_for(
                    lambda: Delivery.objects.filter(status=Delivery.Status.DELIVERED).first(), message="its record"
                )
            except AssertionError:
                raise AssertionError(worker.output()) from None
        finally:
            worker.stop()
    assert message["type"] == "assessment.scheduled"
    assert message["data"]["assessment"] == assessment.pk
    assert receiver.received[0].headers["webhook-id"] == delivered.message_id
    assert delivered.attempt_set.get().status_code == 200
