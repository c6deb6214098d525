"""E-mail faults on the real path: a real worker, a private Redis, the test database (PostgreSQL
when DATABASE_URL names it) and an SMTP server on 127.0.0.1 in this process (aiosmtpd)."""

import asyncio
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from accounts import services as accounts
from accounts.models import User
from notifications.models import Notification
from notifications.tasks import send_notification
from portal.imports import ImportRow

from .. import factories
from ..certificates.test_faults import private_redis  # noqa: F401 -- the fixture
from ..workers import Worker, broker, free_port, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
Status = Notification.Status


class Mailbox:
    """What the mail server accepted; it can hold a conversation at RCPT until released."""

    def __init__(self):
        self.accepted: list[str] = []
        self.hold = threading.Event()
        self.holding = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        deadline = time.monotonic() + 60
        while self.hold.is_set() and time.monotonic() < deadline:
            self.holding.set()
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self):
        self.port, self.mailbox, self.controller = free_port(), Mailbox(), None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server():
    server = MailServer()
    yield server
    server.mailbox.hold.clear()
    server.stop()


def smtp_env(server: MailServer, **extra) -> dict:
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_TIMEOUT": "5",
        **{name: str(value) for name, value in extra.items()},
    }


def invite(count: int) -> list[User]:
    administrator = factories.AdministratorFactory()
    return [
        accounts.account_create(
            created_by=administrator,
            email=f"invitee{n}@example.org",
            first_name="P",
            last_name=f"N{n}",
            role=User.Role.CANDIDATE,
        )[0]
        for n in range(count)
    ]


def statuses() -> list[str]:
    return sorted(Notification.objects.values_list("status", flat=True))


def test_the_mail_server_down_then_back_sends_each_e_mail_once(tmp_path, private_redis, mail_server):  # noqa: F811
    with broker(private_redis.url, tmp_path):
        worker = Worker(private_redis.url, tmp_path, env=smtp_env(mail_server))
        try:
            people = invite(3)  # the mail server is down
            wait_for(lambda: statuses() == [Status.FAILED] * 3, timeout=60, message=f"the failures\n{worker.output()}")
            assert all(
                "Connection refused" in error or "Errno" in error
                for error in Notification.objects.values_list("error", flat=True)
            )
            mail_server.start()  # back: the retries (backoff) send them
            wait_for(lambda: statuses() == [Status.SENT] * 3, timeout=90, message=f"the retries\n{worker.output()}")
        finally:
            worker.stop()
    assert sorted(mail_server.mailbox.accepted) == sorted(person.email for person in people)


def test_the_same_task_delivered_twice_sends_one_e_mail(tmp_path, private_redis, mail_server):  # noqa: F811
    mail_server.start()
    mail_server.mailbox.hold.set()  # the first delivery is still talking to the mail server...
    with broker(private_redis.url, tmp_path):
        person = factories.CandidateFactory(email="twice@example.org")
        invitation = Notification.objects.create(recipient=person, event=Notification.Event.INVITATION)
        for _ in range(2):  # ...when the broker hands the same message (same task id) to another worker
            send_notification.apply_async((invitation.pk,), task_id="one-and-the-same")
        workers = [
            Worker(private_redis.url, tmp_path, env=smtp_env(mail_server), log=tmp_path / f"{n}.log") for n in (1, 2)
        ]

        def finished() -> int:
            return sum(worker.output().count("succeeded") for worker in workers)

        try:
            wait_for(mail_server.mailbox.holding.is_set, timeout=60, message="the first delivery")
            wait_for(lambda: finished() == 1, timeout=30, message="the second delivery to give up at once")
            mail_server.mailbox.hold.clear()
            wait_for(lambda: finished() == 2, timeout=30, message="the first delivery")
        finally:
            mail_server.mailbox.hold.clear()
            for worker in workers:
                worker.stop()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (Status.SENT, 1)
    assert mail_server.mailbox.accepted == ["twice@example.org"]


def test_a_worker_killed_while_sending_loses_nothing_and_sends_once(tmp_path, private_redis, mail_server, settings):  # noqa: F811
    abandoned_after = 3
    settings.EMAIL_CLAIM_ABANDONED_AFTER_SECONDS, settings.EMAIL_REQUEUE_AFTER_SECONDS = abandoned_after, 0
    env = smtp_env(mail_server, EMAIL_CLAIM_ABANDONED_AFTER_SECONDS=abandoned_after)
    mail_server.start()
    mail_server.mailbox.hold.set()  # the mail server keeps the first conversation waiting
    with broker(private_redis.url, tmp_path):
        first = Worker(private_redis.url, tmp_path, env=env, log=tmp_path / "first.log")
        try:
            [person] = invite(1)
            wait_for(mail_server.mailbox.holding.is_set, timeout=60, message=f"the conversation\n{first.output()}")
            assert statuses() == [Status.SENDING]
            first.kill()  # mid-conversation: the mail server never got the message
        finally:
            first.stop()
        mail_server.mailbox.hold.clear()
        assert mail_server.mailbox.accepted == [] and statuses() == [Status.SENDING]
        second = Worker(private_redis.url, tmp_path, env=env, log=tmp_path / "second.log")
        try:
            call_command("queue_pending_notifications", verbosity=0)  # too early: the claim is fresh
            time.sleep(abandoned_after + 1)
            assert statuses() == [Status.SENDING]
            call_command("queue_pending_notifications", verbosity=0)  # what the beat runs every minute
            wait_for(lambda: statuses() == [Status.SENT], timeout=60, message=f"the sweep\n{second.output()}")
        finally:
            second.stop()
    assert mail_server.mailbox.accepted == [person.email]
    assert Notification.objects.get().attempts == 2


def test_the_broker_down_during_an_import_sends_the_e_mails_once_it_is_back(
    tmp_path,
    private_redis,  # noqa: F811
    mail_server,
    settings,
):
    settings.EMAIL_REQUEUE_AFTER_SECONDS = 0
    mail_server.start()
    rows = [
        ImportRow(number=n + 2, values={"email": f"row{n}@example.org", "first_name": "R", "last_name": f"N{n}"})
        for n in range(5)
    ]
    with broker(private_redis.url, tmp_path):
        private_redis.stop()
        started = time.monotonic()
        report = accounts.candidates_import(created_by=factories.AdministratorFactory(), rows=rows, write=True)
        assert report.written and time.monotonic() - started < 30  # the import does not wait on the broker per row
        assert statuses() == [Status.QUEUED] * 5
        assert not Notification.objects.filter(queued_at__isnull=False).exists()
        private_redis.start()
        worker = Worker(private_redis.url, tmp_path, env=smtp_env(mail_server))
        try:
            call_command("queue_pending_notifications", verbosity=0)
            wait_for(lambda: statuses() == [Status.SENT] * 5, timeout=90, message=f"the e-mails\n{worker.output()}")
        finally:
            worker.stop()
    assert sorted(mail_server.mailbox.accepted) == [f"row{n}@example.org" for n in range(5)]
