"""Every operation of the API, called over HTTP on the live test server with data generated from
the schema the portal serves (``/api/v1/schema/``); every answer is validated against that schema
(status code, content type, body, headers) and none is a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from integrations import services
from integrations.models import RESOURCES, WRITE
from integrations.throttling import PerCallerThrottle

from ..assessments.test_permissions import ADMINISTRATOR

# The portal's schema is OpenAPI 3.1, which schemathesis 3 reads behind this switch.
schemathesis.experimental.OPEN_API_3_1.enable()


@pytest.fixture
def api_schema(live_server, world, monkeypatch):
    # A few calls per operation, well within a day's allowance.
    monkeypatch.setattr(PerCallerThrottle, "rate", "100000/min", raising=False)
    users, _ids = world
    secret = services.api_key_create(
        actor=users[ADMINISTRATOR], name="Schema check", scopes=dict.fromkeys(RESOURCES, WRITE)
    )[1]
    schema = schemathesis.from_uri(
        f"{live_server.url}/api/v1/schema/?format=json", headers={"Authorization": f"Api-Key {secret}"}
    )
    return schema


schema = schemathesis.from_pytest_fixture("api_schema")


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_schema(case):
    case.call_and_validate()
