"""API keys: made, scoped, expired and revoked by administrators; shown once, stored hashed; the
audit trail names the key that acted; requests limited per key."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment
from audit.models import AuditEntry
from integrations import services
from integrations.models import ApiKey
from integrations.throttling import FailedKeyThrottle, PerCallerThrottle

from .. import factories

pytestmark = pytest.mark.django_db


def key_for(administrator, **scopes) -> str:
    return services.api_key_create(actor=administrator, name="CRM", scopes=scopes)[1]


def test_the_keys_page_shows_a_new_key_once_and_stores_it_hashed(client, administrator):
    client.force_login(administrator)
    response = client.post(
        "/api-keys/",
        {"name": "CRM", "scope_people": "read", "scope_assessments": "write", "expires_on": ""},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    secret = response.context["made"]
    assert secret.startswith(key.prefix + ".") and secret in response.content.decode()
    # Shown in the answer only: the session store never holds it.
    assert secret not in str(dict(client.session.items()))
    assert secret not in key.hashed_key and secret not in key.pk
    assert key.scopes == {"people": "read", "assessments": "write"} and key.created_by == administrator
    assert secret not in client.get("/api-keys/").content.decode()  # never shown again
    assert AuditEntry.objects.filter(action="api_key_created", actor=administrator).exists()


def test_the_keys_page_names_the_resources_in_the_readers_language(client, administrator):
    key_for(administrator, people="read", documents="write")
    client.force_login(administrator)
    page = client.get("/api-keys/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Personen: lezen, Documenten: lezen en schrijven" in page


def test_a_key_needs_a_scope(client, administrator):
    client.force_login(administrator)
    response = client.post("/api-keys/", {"name": "CRM"})
    assert not ApiKey.objects.exists()
    assert "at least one scope" in response.content.decode()


def test_only_administrators_manage_keys(client, candidate, assessor, administrator):
    key = services.api_key_create(actor=administrator, name="CRM", scopes={"people": "read"})[0]
    for person in (candidate, assessor):
        client.force_login(person)
        assert client.get("/api-keys/").status_code == 404
        assert client.post(f"/api-keys/{key.prefix}/revoke/").status_code == 404
    client.logout()
    assert client.get("/api-keys/").status_code == 302


def test_a_revoked_key_is_refused_from_the_next_request_on(client, administrator):
    key, secret = services.api_key_create(actor=administrator, name="CRM", scopes={"people": "read"})
    headers = {"Authorization": f"Api-Key {secret}"}
    assert client.get("/api/v1/people/", headers=headers).status_code == 200
    client.force_login(administrator)
    client.post(f"/api-keys/{key.prefix}/revoke/")
    client.logout()
    response = client.get("/api/v1/people/", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "invalid_key"
    assert AuditEntry.objects.filter(action="api_key_revoked").exists()


def test_an_expired_key_is_refused(client, administrator):
    key, secret = services.api_key_create(
        actor=administrator, name="CRM", scopes={"people": "read"}, expires_at=timezone.now() + timedelta(hours=1)
    )
    ApiKey.objects.filter(pk=key.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/people/", headers={"Authorization": f"Api-Key {secret}"})
    assert response.status_code == 401 and response.json()["code"] == "invalid_key"


def test_a_wrong_secret_with_a_real_prefix_is_refused(client, administrator):
    key, secret = services.api_key_create(actor=administrator, name="CRM", scopes={"people": "read"})
    response = client.get("/api/v1/people/", headers={"Authorization": f"Api-Key {key.prefix}.wrong"})
    assert response.status_code == 401


def test_a_key_of_a_deactivated_administrator_is_refused(client, administrator):
    secret = key_for(administrator, people="read")
    administrator.is_active = False
    administrator.save()
    assert client.get("/api/v1/people/", headers={"Authorization": f"Api-Key {secret}"}).status_code == 401


def test_the_audit_trail_names_the_key_that_acted(client, administrator, assessment):
    key, secret = services.api_key_create(actor=administrator, name="Planning tool", scopes={"assessments": "write"})
    response = client.post(
        f"/api/v1/assessments/{assessment.pk}/cancel/",
        {"reason": "The candidate moved abroad."},
        content_type="application/json",
        headers={"Authorization": f"Api-Key {secret}"},
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    entry = AuditEntry.objects.get(action="assessment_cancelled")
    assert entry.actor == administrator and entry.api_key == f"Planning tool ({key.prefix})"
    # A request with the session right after names no key: the key's scope ended with its request.
    other = factories.AssessmentFactory()
    client.force_login(administrator)
    answer = client.post(
        f"/api/v1/assessments/{other.pk}/cancel/", {"reason": "Moved."}, content_type="application/json"
    )
    assert answer.status_code == 200
    assert AuditEntry.objects.about(other).get(action="assessment_cancelled").api_key == ""
    assert f"API key Planning tool ({key.prefix})" in client.get(f"/assessments/{assessment.pk}/").content.decode()


def test_requests_are_limited_per_key(client, administrator, monkeypatch):
    monkeypatch.setattr(PerCallerThrottle, "rate", "2/min", raising=False)
    first, second = key_for(administrator, people="read"), key_for(administrator, people="read")
    for _ in range(2):
        assert client.get("/api/v1/people/", headers={"Authorization": f"Api-Key {first}"}).status_code == 200
    refused = client.get("/api/v1/people/", headers={"Authorization": f"Api-Key {first}"})
    assert refused.status_code == 429 and refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) > 0
    # Another key (of the same administrator) has its own allowance.
    assert client.get("/api/v1/people/", headers={"Authorization": f"Api-Key {second}"}).status_code == 200


def test_refusals_speak_the_callers_language_with_the_services_code(client, administrator, assessment):
    secret = key_for(administrator, assessments="write")
    body = {"scheduled_at": "2020-01-01T10:00:00Z", "location": "Gent", "reason": "Zaal bezet"}
    url = f"/api/v1/assessments/{assessment.pk}/reschedule/"
    headers = {"Authorization": f"Api-Key {secret}"}
    response = client.post(url, body, content_type="application/json", headers={**headers, "Accept-Language": "fr"})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "in_the_past"
    assert problem["errors"] == [{"field": "scheduled_at", "code": "in_the_past", "message": problem["detail"]}]
    assert "passé" in problem["detail"]
    # Without Accept-Language: the language of the key's administrator.
    administrator.preferred_language = "nl"
    administrator.save()
    response = client.post(url, body, content_type="application/json", headers=headers)
    assert response.json()["code"] == "in_the_past" and "verleden" in response.json()["detail"]
    assert Assessment.objects.get(pk=assessment.pk).scheduled_at == assessment.scheduled_at


def test_refused_keys_are_limited_per_client_network(client, administrator, monkeypatch):
    monkeypatch.setattr(FailedKeyThrottle, "rate", "3/min", raising=False)
    secret = services.api_key_create(actor=administrator, name="CRM", scopes={"people": "read"})[1]
    # Each attempt from another address of the same IPv6 /64: one budget for the network.
    for host in range(3):
        refused = client.get(
            "/api/v1/people/", headers={"Authorization": "Api-Key x.y"}, REMOTE_ADDR=f"2001:db8::{host}"
        )
        assert refused.status_code == 401
    throttled = client.get("/api/v1/people/", headers={"Authorization": f"Api-Key {secret}"}, REMOTE_ADDR="2001:db8::9")
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) >= 1
    # Another network is not held back, and its key is checked.
    other = client.get("/api/v1/people/", headers={"Authorization": f"Api-Key {secret}"}, REMOTE_ADDR="2001:db9::1")
    assert other.status_code == 200


def test_anonymous_requests_are_limited_per_client_network(client, monkeypatch):
    monkeypatch.setattr(PerCallerThrottle, "rate", "2/min", raising=False)
    answers = [client.get("/api/v1/verify/UNKNOWN/", REMOTE_ADDR=f"2001:db8::{host}").status_code for host in range(3)]
    assert answers == [404, 404, 429]
    assert client.get("/api/v1/verify/UNKNOWN/", REMOTE_ADDR="2001:db9::1").status_code == 404


@pytest.mark.parametrize("change", ["deactivated", "demoted"])
def test_the_keys_of_a_former_administrator_stay_refused_when_they_return(client, administrator, change):
    key, secret = services.api_key_create(actor=administrator, name="CRM", scopes={"people": "read"})
    headers = {"Authorization": f"Api-Key {secret}"}
    assert client.get("/api/v1/people/", headers=headers).status_code == 200
    if change == "deactivated":
        administrator.is_active = False
    else:
        administrator.role = User.Role.ASSESSOR
    administrator.save()  # as the Django admin saves an account
    key.refresh_from_db()
    assert key.revoked and key.revoked_at is not None
    assert AuditEntry.objects.filter(action="api_key_revoked", summary__startswith=key.label).exists()
    administrator.is_active, administrator.role = True, User.Role.ADMINISTRATOR
    administrator.save()
    response = client.get("/api/v1/people/", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "invalid_key"


def test_a_write_with_the_session_needs_the_csrf_token(administrator, assessment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    response = client.post(
        f"/api/v1/assessments/{assessment.pk}/cancel/", {"reason": "Moved."}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Assessment.objects.get(pk=assessment.pk).status == "registered"
    token = client.get("/api-keys/").context["csrf_token"]
    allowed = client.post(
        f"/api/v1/assessments/{assessment.pk}/cancel/",
        {"reason": "Moved."},
        content_type="application/json",
        headers={"X-CSRFToken": str(token)},
    )
    assert allowed.status_code == 200
