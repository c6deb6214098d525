"""The procedure through the API: the same services as the pages, keyset pages, results,
documents, and POSTs that run once per ``Idempotency-Key``."""

import json
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework import exceptions

import accounts.api as accounts_api
from accounts.models import User
from assessments.models import Assessment
from audit.models import AuditEntry
from integrations import services, tasks
from integrations.models import IdempotentResponse
from integrations.problems import problem_details
from notifications.models import Notification
from portal.celery import app as celery_app

from .. import factories, flows
from ..outcomes.test_objection import lodge, uphold

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
    assert Notification.objects.filter(recipient=person, event=Notification.Event.INVITATION).count() == 1


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


def test_a_post_while_the_same_key_is_still_running_is_refused(
    api, candidate, assessor, second_assessor, qualification
):
    body = schedule_body(candidate, assessor, second_assessor, qualification)
    key = api.defaults["HTTP_AUTHORIZATION"].removeprefix("Api-Key ")
    prefix = key.partition(".")[0]
    fingerprint = services.request_fingerprint("POST", "/api/v1/assessments/", json.dumps(body).encode())
    # The first request has claimed the key and is still running.
    assert services.idempotent_response_claim(caller=f"key:{prefix}", key="k1", fingerprint=fingerprint) is None
    second = api.post("/api/v1/assessments/", body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert second.status_code == 409 and second.json()["code"] == "idempotency_key_in_use"
    assert not Assessment.objects.exists()


def test_a_failed_post_gives_its_idempotency_key_up(api, candidate, assessor, second_assessor, qualification):
    refused = schedule_body(candidate, assessor, assessor, qualification)
    response = api.post(
        "/api/v1/assessments/", refused, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 422
    assert not IdempotentResponse.objects.exists()
    # Sent again, the same request runs again (and is refused again): not a 409, not a replay.
    again = api.post(
        "/api/v1/assessments/", refused, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert again.status_code == 422 and again.json()["code"] == "same_assessor"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a race between two connections needs PostgreSQL")
def test_two_requests_with_the_same_key_at_once_run_once():
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def claim() -> None:
        barrier.wait()
        try:
            kept = services.idempotent_response_claim(caller="key:race", key="k1", fingerprint="f")
            outcomes.append("claimed" if kept is None else "replayed")
        except services.IdempotencyKeyInUse:
            outcomes.append("in use")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed", "in use"]


def test_only_administrators_filter_assessments_by_people(client, assessment, assessor):
    client.force_login(assessor)
    for query in (f"search={assessment.candidate.email[:2]}", f"assessor={assessor.pk}", "location=a", "objection=any"):
        refused = client.get(f"/api/v1/assessments/?{query}")
        assert refused.status_code == 400, query
        assert refused.json()["errors"][0]["field"] == query.partition("=")[0]
    listed = client.get(f"/api/v1/assessments/?status={assessment.status}").json()["results"]
    assert [a["id"] for a in listed] == [assessment.pk]


def test_kept_answers_are_purged_once_their_window_has_passed():
    old = IdempotentResponse.objects.create(
        caller="key:a", key="old", fingerprint="f", status=201, body=b"{}", content_type="application/json"
    )
    IdempotentResponse.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=services.IDEMPOTENCY_HOURS, minutes=1)
    )
    recent = IdempotentResponse.objects.create(
        caller="key:a", key="recent", fingerprint="f", status=201, body=b"{}", content_type="application/json"
    )
    assert tasks.purge_idempotent_responses() == 1
    assert list(IdempotentResponse.objects.values_list("pk", flat=True)) == [recent.pk]
    schedule = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "integrations.tasks.purge_idempotent_responses" in schedule


def test_a_result_names_no_assessment_the_caller_may_not_see(client, assessment, assessor):
    disputed = flows.decide(assessment, not_proven={10})
    third, fourth = factories.AssessorFactory(), factories.AssessorFactory()
    new = uphold(lodge(disputed), third, fourth).new_assessment
    flows.decide(new)

    def carried(person) -> set:
        client.force_login(person)
        result = client.get(f"/api/v1/assessments/{new.pk}/result/").json()
        return {c["carried_over_from"] for c in result["competencies"]} - {None}

    def new_assessment(person):
        client.force_login(person)
        return client.get(f"/api/v1/assessments/{disputed.pk}/result/").json()["objection"]["new_assessment"]

    # The candidate sees both assessments; each assessor sees only their own.
    assert carried(disputed.candidate) == {disputed.pk} and new_assessment(disputed.candidate) == new.pk
    assert carried(third) == set()
    assert new_assessment(assessor) is None


@pytest.mark.parametrize("idempotency", [{}, {"Idempotency-Key": "k1"}])
def test_a_body_over_the_upload_limit_is_a_problem_detail(api, settings, idempotency):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.post(
        "/api/v1/people/", {"first_name": "x" * 200}, content_type="application/json", headers=idempotency
    )
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "too_large"


def test_a_server_error_under_the_api_is_a_problem_detail(api, monkeypatch):
    def fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(accounts_api, "people", fails)
    api.raise_request_exception = False
    response = api.get("/api/v1/people/")
    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "server_error" and "database" not in response.content.decode()


def test_a_malformed_body_is_refused_without_the_parsers_words(api):
    response = api.post("/api/v1/people/", '{"first_name": ', content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert "Expecting" not in response.json()["detail"] and "JSON parse error" not in response.json()["detail"]


def test_retry_after_rounds_the_wait_up():
    # Rounded down, a wait of 0.4 s would say "0": a client would come back at once and be refused.
    assert problem_details(exceptions.Throttled(wait=0.4), {})["Retry-After"] == "1"
    assert problem_details(exceptions.Throttled(wait=59.01), {})["Retry-After"] == "60"


def test_an_abandoned_claim_is_taken_over():
    assert services.idempotent_response_claim(caller="key:a", key="k1", fingerprint="f") is None
    with pytest.raises(services.IdempotencyKeyInUse):
        services.idempotent_response_claim(caller="key:a", key="k1", fingerprint="f")
    IdempotentResponse.objects.update(
        created_at=timezone.now() - timedelta(minutes=services.CLAIM_ABANDONED_MINUTES, seconds=1)
    )
    assert services.idempotent_response_claim(caller="key:a", key="k1", fingerprint="f") is None
    with pytest.raises(services.IdempotencyKeyInUse):  # taken over once: it runs again now
        services.idempotent_response_claim(caller="key:a", key="k1", fingerprint="f")
