"""Faults on the real path: a broker that goes down and comes back, a worker killed mid-render.

These start a private redis-server on a free port (the machine's own Redis is left alone).
"""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.management import call_command

from certificates.models import Certificate, SupplementVersion

from .. import factories, flows
from ..conftest import ON_CI
from ..workers import Worker, broker, free_port, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


class PrivateRedis:
    def __init__(self, folder):
        binary = shutil.which("redis-server")
        if binary is None:
            if ON_CI:
                pytest.fail("redis-server is required on CI")
            pytest.skip("redis-server is not installed")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, message="redis-server")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def status_of(version_id) -> str:
    return SupplementVersion.objects.get(pk=version_id).status


def test_broker_down_at_certification_then_back(qualification, tmp_path, private_redis, settings):
    settings.SUPPLEMENT_REQUEUE_AFTER_SECONDS = 0
    with broker(private_redis.url, tmp_path):
        private_redis.stop()  # the broker dies just before the last score sheet comes in
        started = time.monotonic()
        assessment = flows.certify(factories.AssessmentFactory(qualification=qualification))
        assert time.monotonic() - started < 30  # the request does not hang on the broker
        version = assessment.certificate.versions.get()
        assert status_of(version.pk) == SupplementVersion.Status.QUEUED

        private_redis.start()  # back, empty: the message was never sent
        worker = Worker(private_redis.url, tmp_path)
        try:
            call_command("queue_pending_supplements", verbosity=0)  # what the beat runs every minute
            wait_for(
                lambda: status_of(version.pk) == SupplementVersion.Status.READY,
                timeout=90,
                message=f"the rendering\n{worker.output()}",
            )
        finally:
            worker.stop()
    assert Certificate.objects.count() == 1


def test_a_worker_killed_mid_render_is_replaced_and_there_is_still_one_certificate(
    qualification, tmp_path, private_redis
):
    with broker(private_redis.url, tmp_path, visibility_timeout=3):
        first = Worker(private_redis.url, tmp_path, visibility_timeout=3, log=tmp_path / "first.log")
        try:
            assessment = flows.certify(factories.AssessmentFactory(qualification=qualification))
            version = assessment.certificate.versions.get()
            wait_for(
                lambda: status_of(version.pk) == SupplementVersion.Status.RENDERING,
                timeout=60,
                interval=0.005,
                message=f"the render to start\n{first.output()}",
            )
            first.kill()
        finally:
            first.stop()
        assert status_of(version.pk) == SupplementVersion.Status.RENDERING
        second = Worker(private_redis.url, tmp_path, visibility_timeout=3, log=tmp_path / "second.log")
        try:
            wait_for(
                lambda: status_of(version.pk) == SupplementVersion.Status.READY,
                timeout=90,
                message=f"the redelivered render\n{second.output()}",
            )
        finally:
            second.stop()
    version.refresh_from_db()
    assert version.attempts == 2  # delivered again, rendered by the second worker
    assert Certificate.objects.count() == 1 and SupplementVersion.objects.count() == 1


def test_redis_restarting_under_a_running_worker(qualification, tmp_path, private_redis):
    with broker(private_redis.url, tmp_path):
        worker = Worker(private_redis.url, tmp_path)
        try:
            first = flows.certify(factories.AssessmentFactory(qualification=qualification)).certificate
            wait_for(lambda: status_of(first.versions.get().pk) == "ready", timeout=90, message=worker.output())
            private_redis.stop()
            private_redis.start()
            second = flows.certify(factories.AssessmentFactory(qualification=qualification)).certificate
            wait_for(
                lambda: status_of(second.versions.get().pk) == "ready",
                timeout=90,
                message=f"a render after the restart\n{worker.output()}",
            )
        finally:
            worker.stop()
    assert Certificate.objects.count() == 2
