"""One pipeline for every e-mail: claimed before it is sent, swept only when stale, never in a request."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services as accounts
from certificates import services as certificates
from certificates import tasks as certificate_tasks
from notifications import services
from notifications.models import Notification
from notifications.tasks import SWEEP_LOCK, queue_pending_notifications, send_notification
from portal.celery import app

from .. import factories
from ..emails import deliver

pytestmark = pytest.mark.django_db
Status = Notification.Status


@pytest.fixture
def invitation(db):
    person = factories.CandidateFactory(first_name="Ivo", last_name="Invited")
    accounts.invitation_send(user=person)
    return Notification.objects.get(recipient=person)


def age(notification, **fields):
    Notification.objects.filter(pk=notification.pk).update(**fields)
    notification.refresh_from_db()
    return notification


def test_a_second_delivery_of_the_same_task_while_the_first_sends_sends_nothing(invitation):
    answers = []

    def send_while_another_delivery_arrives(message):
        # The broker hands the same message (same task id) to another worker meanwhile.
        answers.append(services.notification_send(notification_id=invitation.pk, attempt_id="task-1"))
        return 1

    with mock.patch(
        "django.core.mail.EmailMessage.send", autospec=True, side_effect=send_while_another_delivery_arrives
    ):
        assert services.notification_send(notification_id=invitation.pk, attempt_id="task-1") is True
    assert answers == [False]
    assert services.notification_send(notification_id=invitation.pk, attempt_id="task-1") is False  # and afterwards
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (Status.SENT, 1)


def test_a_claim_is_taken_over_only_once_it_is_older_than_the_set_age(invitation, settings):
    settings.EMAIL_CLAIM_ABANDONED_AFTER_SECONDS = 300
    age(invitation, status=Status.SENDING, claimed_by="dead-worker", claimed_at=timezone.now() - timedelta(seconds=200))
    assert services.notification_send(notification_id=invitation.pk, attempt_id="task-2") is False
    assert mail.outbox == []
    age(invitation, claimed_at=timezone.now() - timedelta(seconds=301))
    assert services.notification_send(notification_id=invitation.pk, attempt_id="task-2") is True
    assert len(mail.outbox) == 1


def test_a_failed_delivery_is_recorded_and_its_retry_sends_it(invitation):
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=TimeoutError("timed out")),
        pytest.raises(TimeoutError),
    ):
        services.notification_send(notification_id=invitation.pk, attempt_id="task-3")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.error, invitation.claimed_by) == (
        Status.FAILED,
        "TimeoutError: timed out",
        "task-3",
    )
    assert services.notification_send(notification_id=invitation.pk, attempt_id="task-3") is True  # Celery's retry
    assert len(mail.outbox) == 1


def test_the_sweep_hands_again_only_stale_e_mails(settings, invitation):
    settings.EMAIL_REQUEUE_AFTER_SECONDS, settings.EMAIL_CLAIM_ABANDONED_AFTER_SECONDS = 120, 300
    now = timezone.now()
    long_ago = now - timedelta(hours=1)

    def another(**fields):
        person = factories.AssessorFactory()
        accounts.invitation_send(user=person)
        return age(Notification.objects.get(recipient=person), **fields)

    fresh = another()
    never_reached_the_broker = another(created_at=long_ago)
    queued_lately = another(created_at=long_ago, queued_at=now - timedelta(seconds=30))
    lost_on_the_broker = another(created_at=long_ago, queued_at=long_ago)
    being_sent = another(created_at=long_ago, status=Status.SENDING, claimed_at=now - timedelta(seconds=60))
    abandoned = another(created_at=long_ago, status=Status.SENDING, claimed_at=now - timedelta(seconds=400))
    failed = another(created_at=long_ago, status=Status.FAILED)
    sent = another(created_at=long_ago, status=Status.SENT)
    assert {fresh.pk, queued_lately.pk, being_sent.pk, failed.pk, sent.pk, invitation.pk}.isdisjoint(
        services.notifications_to_resend()
    )
    stale = [never_reached_the_broker.pk, lost_on_the_broker.pk, abandoned.pk]
    assert services.notifications_to_resend() == stale

    with mock.patch.object(send_notification, "delay") as delay:
        assert queue_pending_notifications() == 3
    assert [call.args[0] for call in delay.call_args_list] == stale
    assert services.notifications_to_resend() == []  # handed to the broker just now: not again at the next sweep


def test_the_sweep_leaves_it_to_the_one_that_holds_the_lock(settings, invitation):
    settings.EMAIL_REQUEUE_AFTER_SECONDS = 0
    age(invitation, created_at=timezone.now() - timedelta(minutes=5))
    from django.core.cache import cache

    cache.add(SWEEP_LOCK, "held")
    with mock.patch.object(send_notification, "delay") as delay:
        assert queue_pending_notifications() == 0
    assert delay.call_count == 0


def test_a_broker_that_is_down_is_tried_once_for_a_whole_import(invitation):
    with mock.patch.object(send_notification, "delay", side_effect=ConnectionError("broker down")) as delay:
        assert services.send_to_worker([invitation.pk, invitation.pk + 1, invitation.pk + 2]) == 0
    assert delay.call_count == 1  # the rest wait for the sweep, not for the broker
    invitation.refresh_from_db()
    assert (invitation.status, invitation.queued_at) == (Status.QUEUED, None)


def test_a_password_reset_is_not_sent_after_its_links_lifetime(client, candidate, settings):
    client.post("/accounts/password/reset/", {"email": candidate.email})
    reset = Notification.objects.get(recipient=candidate, event=Notification.Event.PASSWORD_RESET)
    age(reset, created_at=timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))
    assert deliver() == []
    reset.refresh_from_db()
    assert reset.status == Status.EXPIRED


def test_a_password_reset_for_an_unknown_address_stores_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert (response.status_code, response.url) == (302, "/accounts/password/reset/sent/")
    assert not Notification.objects.exists()


def test_renders_and_e_mails_have_queues_and_time_limits_of_their_own(settings):
    route = app.amqp.router.route
    for task, queue in [
        ("certificates.tasks.render_supplement", "renders"),
        ("notifications.tasks.send_notification", "emails"),
        ("notifications.tasks.queue_pending_notifications", "celery"),
    ]:
        # its own queue, reached by a routing key no other queue is bound with
        assert (route({}, task)["queue"].name, route({}, task)["queue"].routing_key) == (queue, queue)
    assert len({queue.routing_key for queue in app.conf.task_queues}) == 3
    assert {queue.name for queue in app.conf.task_queues} == {"celery", "renders", "emails"}  # one worker serves all
    assert app.conf.worker_prefetch_multiplier == 1 and app.conf.task_acks_late
    render, email = certificate_tasks.render_supplement, send_notification
    assert render.soft_time_limit < render.time_limit < certificates.STALE_RENDER_AFTER.total_seconds()
    assert (
        settings.EMAIL_TIMEOUT < email.soft_time_limit < email.time_limit < settings.EMAIL_CLAIM_ABANDONED_AFTER_SECONDS
    )
