"""A request id on the log lines of a request and of the tasks it queued, in JSON."""

import io
import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from monitoring.models import Heartbeat
from portal.celery import QUEUES
from portal.request_ids import RequestIdFilter
from portal.settings.base import logging_config

from .. import factories
from ..test_deployment import PRODUCTION_ENV, manage
from ..workers import Worker, broker, wait_for


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]


@pytest.fixture
def request_log():
    """What the django.request logger writes, through the production handler's filter and formatter."""
    spec = logging_config("json")["formatters"]["json"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter(spec["fmt"], rename_fields=spec["rename_fields"]))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_response_names_its_request_id_and_keeps_a_proxys_plain_one(client):
    made = client.get("/accounts/login/")["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/accounts/login/")["X-Request-ID"] != made
    given = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


@pytest.mark.django_db
@pytest.mark.parametrize("unsafe", ["id with spaces", "line\nbreak", "x" * 129, "<script>", "-starts-with-a-dash"])
def test_an_id_that_is_not_a_plain_token_is_replaced(client, unsafe):
    answered = client.get("/accounts/login/", HTTP_X_REQUEST_ID=unsafe)["X-Request-ID"]
    assert answered != unsafe and len(answered) == 32


@pytest.mark.django_db
def test_the_log_lines_of_a_request_carry_its_id_as_json(client, request_log):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-id-1")  # Django logs "Not Found" after the view
    [line] = [line for line in json_lines(request_log) if line["message"].startswith("Not Found")]
    assert line["request_id"] == "proxy-id-1"
    assert {"time", "level", "logger"} <= set(line) and line["level"] == "WARNING"


def test_production_logs_json_lines():
    show = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    result = manage("shell", "--verbosity", "0", "-c", show, env=PRODUCTION_ENV)
    assert result.stdout.split() == ["json"], result.stderr
    result = manage("shell", "--verbosity", "0", "-c", show, env={**PRODUCTION_ENV, "LOG_FORMAT": "text"})
    assert result.stdout.split() == ["text"], result.stderr


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_logs_with_the_requests_id_in_the_worker(client, tmp_path):
    candidate = factories.CandidateFactory()
    candidate.set_password("a-long-password-1")
    candidate.save()
    url = "filesystem://localhost//"
    with broker(url, tmp_path):
        worker = Worker(url, tmp_path, env={"LOG_FORMAT": "json"})
        try:
            response = client.post(
                "/accounts/password/reset/", {"email": candidate.email}, HTTP_X_REQUEST_ID="reset-request-7"
            )
            assert response.status_code == 302

            def task_lines():
                return [
                    line
                    for line in json_lines(io.StringIO(worker.output()))
                    if "notifications.tasks.send_notification" in line["message"] and "succeeded" in line["message"]
                ]

            [line] = wait_for(task_lines, timeout=60, message="the e-mail task")
        finally:
            worker.stop()
    assert line["request_id"] == "reset-request-7"
    assert line["logger"].startswith("celery")
    # The worker said it was alive for every queue it serves as it started (the health page reads it).
    assert set(Heartbeat.objects.values_list("queue", flat=True)) == set(QUEUES)
