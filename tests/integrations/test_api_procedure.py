"""The procedure through the API: the same services as the pages, keyset pages, results,
documents, and POSTs that run once per ``Idempotency-Key``."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment
from audit.models import AuditEntry
from integrations import services
from notifications.models import Notification

from .. import factories, flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, administrator):
    secret = services.api_key_create(
        actor=administrator,
        name="CRM",
        scopes={"people": "write", "assessments": "write", "results": "read", "documents": "read"},
    )[1]
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {secret}"
    return client


def schedule_body(candidate, assessor, second_assessor, qualification, **changes) -> dict:
    return {
        "candidate": candidate.pk,
        "qualification": qualification.code,
        "first_assessor": assessor.pk,
        "second_assessor": second_assessor.pk,
        "scheduled_at": (timezone.now() + timedelta(days=3)).isoformat(),
        "location": "Gent",
        **changes,
    }


def test_scheduling_runs_the_service_with_its_audit_entry_and_notifications(
    api, candidate, assessor, second_assessor, qualification
):
    response = api.post(
        "/api/v1/assessments/",
        schedule_body(candidate, assessor, second_assessor, qualification),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "registered" and "reschedule" in created["next_steps"]
    assert response["Location"].endswith(f"/api/v1/assessments/{created['id']}/")
    assert AuditEntry.objects.filter(action="assessment_created", api_key__startswith="CRM (").exists()
    assert Notification.objects.filter(assessment_id=created["id"]).exists()


def test_a_rule_refuses_through_the_api_as_on_the_page(api, candidate, assessor, qualification):
    response = api.post(
        "/api/v1/assessments/",
        schedule_body(candidate, assessor, assessor, qualification),
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["code"] == "same_assessor"
    assert not Assessment.objects.exists()


def test_the_same_idempotency_key_runs_a_post_once(api, candidate, assessor, second_assessor, qualification):
    body = schedule_body(candidate, assessor, second_assessor, qualification)
    first = api.post("/api/v1/assessments/", body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    again = api.post("/api/v1/assessments/", body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Assessment.objects.count() == 1
    other = api.post(
        "/api/v1/assessments/",
        {**body, "location": "Brussel"},
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # Without the key, the second request is a request of its own (and the rule refuses it).
    assert api.post("/api/v1/assessments/", body, content_type="application/json").json()["code"] == "assessment_open"


def test_an_idempotency_key_is_the_callers_own(
    api, client, administrator, candidate, assessor, second_assessor, qualification
):
    body = schedule_body(candidate, assessor, second_assessor, qualification)
    api.post("/api/v1/assessments/", body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    other = services.api_key_create(actor=administrator, name="Other", scopes={"assessments": "write"})[1]
    response = api.post(
        "/api/v1/assessments/",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "k1", "Authorization": f"Api-Key {other}"},
    )
    assert response.json()["code"] == "assessment_open"  # ran, and the rule refused: not the first's answer


def test_inviting_a_person_sends_the_invitation(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/people/",
            {"first_name": "Nora", "last_name": "New", "email": "nora@example.org", "role": "candidate"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    person = User.objects.get(email="nora@example.org")
    assert response.json()["id"] == person.pk and person.role == "candidate"
    assert Notification.objects.filter(recipient=person).exists() or mail.outbox


def test_people_are_searched_and_paged(api):
    for number in range(55):
        factories.CandidateFactory(first_name="Paged", last_name=f"Person {number:02}")
    first = api.get("/api/v1/people/?search=paged").json()
    assert len(first["results"]) == 50 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert [p["last_name"] for p in second["results"]] == [f"Person {n}" for n in range(50, 55)]
    assert second["next"] is None and second["previous"]


def test_assessments_are_listed_by_date_with_filters(api, qualification):
    soon = factories.AssessmentFactory(qualification=qualification, location="Gent")
    later = factories.AssessmentFactory(
        qualification=qualification, location="Brussel", scheduled_at=timezone.now() + timedelta(days=9)
    )
    listed = api.get("/api/v1/assessments/").json()["results"]
    assert [a["id"] for a in listed] == [soon.pk, later.pk]
    assert [a["id"] for a in api.get("/api/v1/assessments/?location=brussel").json()["results"]] == [later.pk]
    refused = api.get("/api/v1/assessments/?status=nonsense")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "status"


def test_the_result_names_each_competency_and_the_documents_download(api, assessment, administrator):
    flows.certify(assessment)
    result = api.get(f"/api/v1/assessments/{assessment.pk}/result/").json()
    assert result["decision"] == "certified" and result["objection"] is None
    assert len(result["competencies"]) == assessment.qualification.competencies.count()
    assert all(c["proven"] and c["carried_over_from"] is None for c in result["competencies"])
    documents = api.get(f"/api/v1/assessments/{assessment.pk}/documents/").json()
    assert [d["number"] for d in documents] == [assessment.certificate.number]


def test_an_undecided_assessment_has_no_result(api, assessment):
    response = api.get(f"/api/v1/assessments/{assessment.pk}/result/")
    assert response.status_code == 404 and response.json()["code"] == "not_decided"


def test_the_schema_and_its_viewer_are_served_by_the_portal(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["openapi"] == "3.1.0"
    page = client.get("/api/v1/docs/").content.decode()
    # Every script and stylesheet from the portal itself (no CDN), none inline (the CSP allows none).
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "<style" not in page and "<script>" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_an_idempotency_key_is_printable_text(api, assessment):
    response = api.post(
        f"/api/v1/assessments/{assessment.pk}/cancel/",
        {"reason": "Moved abroad"},
        content_type="application/json",
        headers={"Idempotency-Key": "k\x00"},
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Assessment.objects.get(pk=assessment.pk).status == "registered"
