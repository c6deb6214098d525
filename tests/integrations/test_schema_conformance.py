"""Every operation of the API, called over HTTP on the live test server with data generated from
the schema the portal serves (``/api/v1/schema/``); every answer is validated against that schema
(status code, content type, body, headers) and none is a server error."""

import re
from datetime import timedelta

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from integrations import services
from integrations.models import RESOURCES, WRITE
from integrations.throttling import PerCallerThrottle

from ..assessments.test_permissions import ADMINISTRATOR, ASSESSOR, OUTSIDER

# Every check but one: a request the schema allows may still break a rule of the procedure (422)
# or name a person that does not exist (400), which the schema cannot say.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]

# schemathesis reads `application/jwt` as JSON; a VC-JWT is three base64url parts (checked below).
JWT = "/api/v1/certificates/{id}/credential.jwt"


def excluded(path: str) -> list:
    return [*EXCLUDED, schemathesis.checks.response_schema_conformance] if path == JWT else EXCLUDED


@pytest.fixture
def signed_in(world, monkeypatch) -> dict:
    """The headers of a key with every scope, of the world's administrator."""
    # Every call of the test counts against the key: well within the allowance.
    monkeypatch.setattr(PerCallerThrottle, "rate", "100000/min", raising=False)
    users, _ids = world
    secret = services.api_key_create(
        actor=users[ADMINISTRATOR], name="Schema check", scopes=dict.fromkeys(RESOURCES, WRITE)
    )[1]
    return {"Authorization": f"Api-Key {secret}"}


@pytest.fixture
def api_schema(live_server, signed_in):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")


@pytest.mark.django_db(transaction=True)
def test_every_answer_matches_the_schema(api_schema, signed_in):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 16
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=signed_in, excluded_checks=excluded(case.operation.path))

        try:
            check()
        except Exception as failure:
            failure.add_note(operation.label)
            raise


@pytest.mark.django_db(transaction=True)
def test_every_operation_succeeds_on_real_objects_as_the_schema_says(api_schema, world, signed_in):
    """The generated calls above mostly name objects that do not exist; these name the world's
    certified assessment, its certificate and people, and take each step, once each."""
    schema, (users, ids) = api_schema, world
    a, certificate = {"id": ids["a"]}, {"id": ids["certificate"]}
    reads = [
        ("/api/v1/people/", {}, {"search": "chris"}),
        ("/api/v1/people/{id}/", {"id": ids["candidate"]}, {}),
        ("/api/v1/assessments/", {}, {"status": "certified"}),
        ("/api/v1/assessments/{id}/", a, {}),
        ("/api/v1/assessments/{id}/result/", a, {}),
        ("/api/v1/assessments/{id}/documents/", a, {}),
        ("/api/v1/certificates/{id}/versions/{number}/supplement.pdf", {**certificate, "number": 1}, {}),
        ("/api/v1/certificates/{id}/versions/{number}/proof.pdf", {**certificate, "number": 1}, {}),
        ("/api/v1/certificates/{id}/credential.json", certificate, {}),
        ("/api/v1/certificates/{id}/credential.jwt", certificate, {}),
        ("/api/v1/verify/{code}/", {"code": ids["code"]}, {}),
    ]
    for path, parameters, query in reads:
        response = (
            schema[path]["GET"]
            .Case(path_parameters=parameters, query=query, headers=dict(signed_in), cookies={})
            .call_and_validate(excluded_checks=excluded(path))
        )
        assert response.status_code == 200, (path, response.text[:300])
        if path == JWT:
            assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", response.text)

    def post(path, body, parameters=None):
        case = schema[path]["POST"].Case(
            path_parameters=parameters or {},
            body=body,
            media_type="application/json",
            headers=dict(signed_in),
            cookies={},
        )
        response = case.call_and_validate(excluded_checks=EXCLUDED)
        assert response.status_code in (200, 201), (path, response.text[:300])
        return response.json()

    person = post(
        "/api/v1/people/", {"first_name": "Nora", "last_name": "New", "email": "nora@example.org", "role": "candidate"}
    )
    in_a_week = (timezone.now() + timedelta(days=7)).isoformat()
    scheduled = post(
        "/api/v1/assessments/",
        {
            "candidate": person["id"],
            "qualification": "0213",
            "first_assessor": users[ASSESSOR].pk,
            "second_assessor": users[OUTSIDER].pk,
            "scheduled_at": in_a_week,
        },
    )
    new = {"id": scheduled["id"]}
    post("/api/v1/assessments/{id}/reschedule/", {"scheduled_at": in_a_week, "reason": "Room taken"}, new)
    post(
        "/api/v1/assessments/{id}/assessors/",
        {"first_assessor": users[OUTSIDER].pk, "second_assessor": users[ASSESSOR].pk},
        new,
    )
    assert post("/api/v1/assessments/{id}/cancel/", {"reason": "Moved abroad"}, new)["status"] == "cancelled"
