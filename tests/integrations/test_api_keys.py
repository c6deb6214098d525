"""API keys: made, scoped, expired and revoked by administrators; shown once, stored hashed; the
audit trail names the key that acted; requests limited per key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Assessment
from audit.models import AuditEntry
from integrations import services
from integrations.models import ApiKey
from integrations.throttling import PerCallerThrottle

pytestmark = pytest.mark.django_db


def key_for(administrator, **scopes) -> str:
    return services.api_key_create(actor=administrator, name="CRM", scopes=scopes)[1]


def test_the_keys_page_shows_a_new_key_once_and_stores_it_hashed(client, administrator):
    client.force_login(administrator)
    response = client.post(
        "/api-keys/",
        {"name": "CRM", "scope_people": "read", "scope_assessments": "write", "expires_on": ""},
        follow=True,
    )
    assert response.status_code == 200 and response.redirect_chain  # a reload makes no second key
    key = ApiKey.objects.get()
    secret = response.context["made"]
    assert secret.startswith(key.prefix + ".") and secret in response.content.decode()
    assert secret not in key.hashed_key and secret not in key.pk
    assert key.scopes == {"people": "read", "assessments": "write"} and key.created_by == administrator
    assert secret not in client.get("/api-keys/").content.decode()  # never shown again
    assert AuditEntry.objects.filter(action="api_key_created", actor=administrator).exists()


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
    # The page names no key.
    client.force_login(administrator)
    client.post(f"/api/v1/assessments/{assessment.pk}/cancel/", {"reason": "again"}, content_type="application/json")
    assert not AuditEntry.objects.filter(api_key="").exclude(action__startswith="api_key").exists()
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
