"""Every endpoint of the API, for every kind of visitor and for API keys with each scope: the
pages' access rules, a 404 for what a person may not see, a 403 for what a key may not reach."""

import pytest

from integrations import services
from integrations.models import READ, RESOURCES, WRITE

from ..assessments.test_permissions import (
    ADMINISTRATOR,
    ANONYMOUS,
    ASSESSOR,
    CANDIDATE,
    EVERYONE,
    SIGNED_IN,
    sign_in_as,
)

STAFF_AND_CANDIDATE = {CANDIDATE, ASSESSOR, ADMINISTRATOR}
HOLDER = {CANDIDATE, ADMINISTRATOR}

# (name, method, url, resource, who may use it). Anybody else signed in gets a 404.
ENDPOINTS = [
    ("people", "get", "/api/v1/people/", "people", {ADMINISTRATOR}),
    ("people search", "get", "/api/v1/people/?search=chris&role=candidate", "people", {ADMINISTRATOR}),
    ("person", "get", "/api/v1/people/{candidate}/", "people", {ADMINISTRATOR}),
    ("invite", "post", "/api/v1/people/", "people", {ADMINISTRATOR}),
    ("assessments", "get", "/api/v1/assessments/", "assessments", SIGNED_IN),
    ("assessment", "get", "/api/v1/assessments/{a}/", "assessments", STAFF_AND_CANDIDATE),
    ("schedule", "post", "/api/v1/assessments/", "assessments", {ADMINISTRATOR}),
    ("reschedule", "post", "/api/v1/assessments/{a}/reschedule/", "assessments", {ADMINISTRATOR}),
    ("cancel", "post", "/api/v1/assessments/{a}/cancel/", "assessments", {ADMINISTRATOR}),
    ("assessors", "post", "/api/v1/assessments/{a}/assessors/", "assessments", {ADMINISTRATOR}),
    ("result", "get", "/api/v1/assessments/{a}/result/", "results", STAFF_AND_CANDIDATE),
    ("documents", "get", "/api/v1/assessments/{a}/documents/", "documents", STAFF_AND_CANDIDATE),
    ("supplement", "get", "/api/v1/certificates/{certificate}/versions/1/supplement.pdf", "documents", HOLDER),
    ("proof", "get", "/api/v1/certificates/{certificate}/versions/1/proof.pdf", "documents", HOLDER),
    ("credential (JSON)", "get", "/api/v1/certificates/{certificate}/credential.json", "documents", HOLDER),
    ("credential (JWT)", "get", "/api/v1/certificates/{certificate}/credential.jwt", "documents", HOLDER),
]
PUBLIC = [("verification", "/api/v1/verify/{code}/")]


def call(client, method: str, url: str, **headers):
    if method == "post":
        return client.post(url, {}, content_type="application/json", headers=headers)
    return client.get(url, headers=headers)


def assert_problem(response, status: int, context) -> dict:
    assert response.status_code == status, (context, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/problem+json", context
    problem = response.json()
    assert problem["status"] == status and problem["type"] and problem["title"] and problem["code"], problem
    return problem


@pytest.mark.django_db
@pytest.mark.parametrize("name,method,url,resource,allowed", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_it_requires_access(client, world, name, method, url, resource, allowed):
    users, ids = world
    url = url.format(**ids)
    for who in EVERYONE:
        sign_in_as(client, users, who)
        response = call(client, method, url)
        if who == ANONYMOUS:
            assert_problem(response, 401, (who, url))
            assert response["WWW-Authenticate"] == "Api-Key"
        elif who in allowed:
            # A POST without a body is refused for its content (400), never for who sent it.
            assert response.status_code == (400 if method == "post" else 200), (who, url, response.status_code)
        else:
            assert_problem(response, 404, (who, url))


@pytest.mark.django_db
@pytest.mark.parametrize("name,url", PUBLIC, ids=[p[0] for p in PUBLIC])
def test_verification_is_open_to_everyone(client, world, name, url):
    users, ids = world
    for who in EVERYONE:
        sign_in_as(client, users, who)
        response = client.get(url.format(**ids))
        assert response.status_code == 200, who
        assert response.json()["status"] == "valid"
        assert "private" in response["Cache-Control"]  # the holder's name, like the page


SCOPES = [(resource, scope) for resource in RESOURCES for scope in (READ, WRITE)]


@pytest.mark.django_db
@pytest.mark.parametrize("resource,scope", SCOPES, ids=[f"{r}-{s}" for r, s in SCOPES])
def test_an_api_key_reaches_only_what_its_scope_names(client, world, resource, scope):
    users, ids = world
    _key, secret = services.api_key_create(actor=users[ADMINISTRATOR], name="CRM", scopes={resource: scope})
    for name, method, url, endpoint_resource, _allowed in ENDPOINTS:
        response = call(client, method, url.format(**ids), Authorization=f"Api-Key {secret}")
        # Nothing the API answers is kept by a shared cache or on the client's disk.
        assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}, name
        if endpoint_resource == resource and (method == "get" or scope == WRITE):
            # The key acts for its administrator: what the administrator may do, it may.
            assert response.status_code == (400 if method == "post" else 200), (name, response.status_code)
        else:
            assert assert_problem(response, 403, name)["code"] == "scope_missing"
    assert (
        client.get(f"/api/v1/verify/{ids['code']}/", headers={"Authorization": f"Api-Key {secret}"}).status_code == 200
    )


def test_every_endpoint_of_the_api_is_in_the_matrix():
    from django.urls import get_resolver, resolve

    dummy = {"a": 1, "candidate": 1, "certificate": 1, "code": "x"}
    urls = [url for _name, _method, url, _resource, _allowed in ENDPOINTS] + [url for _name, url in PUBLIC]
    covered = {resolve(url.format(**dummy).split("?")[0]).url_name for url in urls}
    documentation = {"schema", "docs"}  # public: the schema and its viewer
    existing = {name for name in get_resolver().namespace_dict["api"][1].reverse_dict if isinstance(name, str)}
    assert existing - documentation <= covered, existing - documentation - covered
