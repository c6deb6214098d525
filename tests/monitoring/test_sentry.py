"""Errors reach Sentry when a DSN is set, with no personal data (portal/sentry.py)."""

import json

import pytest
import sentry_sdk
from django.test import Client
from sentry_sdk.transport import Transport

from portal import sentry

from ..test_deployment import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db

EMAIL, BORN = "chris.candidate@example.org", "17/05/1990"


class CapturingTransport(Transport):
    """Keeps the events instead of sending them anywhere."""

    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope) -> None:
        event = envelope.get_event()
        if event is not None:
            self.events.append(event)


@pytest.fixture
def sentry_events():
    transport = CapturingTransport()
    sentry.init("https://public-key@errors.example.org/1", environment="test", transport=transport)
    yield transport.events
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: nothing is reported by the tests that follow


def test_an_error_reaches_sentry_without_e_mail_dates_or_the_request_body(settings, sentry_events):
    settings.ROOT_URLCONF = "tests.error_urls"
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-key"
    response = client.post(
        "/test/personal/",
        {"email": EMAIL, "born": BORN},
        HTTP_X_REQUEST_ID="failing-request-1",
        HTTP_AUTHORIZATION="Bearer secret",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 500
    [event] = sentry_events
    text = json.dumps(event)
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert "[e-mail]" in event["exception"]["values"][0]["value"]
    for personal in (EMAIL, BORN, "1990-05-17", "a-session-key", "Bearer secret", "203.0.113.9"):
        assert personal not in text, personal
    assert "data" not in event["request"] and "cookies" not in event["request"]
    assert "user" not in event
    assert event["tags"]["request_id"] == "failing-request-1"


def test_a_message_is_scrubbed_as_an_exception_is(sentry_events):
    sentry_sdk.capture_message(f"Could not invite {EMAIL} (born 1990-05-17)")
    [event] = sentry_events
    assert event["message"] == "Could not invite [e-mail] (born [date])"


def test_a_dsn_in_the_environment_reports_with_the_scrubber_and_without_personal_data():
    show = (
        "import sentry_sdk; o = sentry_sdk.get_client().options; "
        "print(o['dsn'], o['send_default_pii'], o['include_local_variables'], o['before_send'].__qualname__, "
        "sorted(type(i).__name__ for i in sentry_sdk.get_client().integrations.values() if 'Django' in type(i).__name__ "
        "or 'Celery' in type(i).__name__))"
    )
    dsn = "https://public-key@errors.example.org/1"
    result = manage("shell", "--verbosity", "0", "-c", show, env={**PRODUCTION_ENV, "SENTRY_DSN": dsn})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split(maxsplit=4) == [
        dsn,
        "False",
        "False",
        "scrub",
        "['CeleryIntegration', 'DjangoIntegration']",
    ]
    assert sentry_sdk.get_client().dsn is None  # the tests set none
