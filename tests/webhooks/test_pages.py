"""The webhook pages: administrators only (the five other kinds of visitor get the portal's refusal),
the secret shown once, changes audited, deliveries listed with the receivers' answers."""

import pytest
from django.urls import get_resolver, resolve

from audit.models import AuditEntry
from webhooks import services
from webhooks.models import Delivery, Endpoint, Event

from ..assessments.test_permissions import ADMINISTRATOR, ANONYMOUS, EVERYONE, sign_in_as

pytestmark = pytest.mark.django_db

# (name, method, url template); only an administrator may use them.
VIEWS = [
    ("endpoints", "get", "/webhooks/"),
    ("new endpoint", "get", "/webhooks/new/"),
    ("endpoint", "get", "/webhooks/{endpoint}/"),
    ("new secret", "post", "/webhooks/{endpoint}/secret/"),
    ("secret shown once", "get", "/webhooks/{endpoint}/secret/"),
    ("deliveries", "get", "/webhooks/{endpoint}/deliveries/"),
    ("send again", "post", "/webhooks/deliveries/{delivery}/resend/"),
    ("delete", "post", "/webhooks/{endpoint}/delete/"),  # last: it deletes the endpoint
]


@pytest.fixture
def visitors(candidate, other_candidate, assessor, outsider_assessor, administrator):
    return dict(
        zip(
            EVERYONE,
            [None, candidate, other_candidate, assessor, outsider_assessor, administrator],
            strict=True,
        )
    )


def made(administrator, url="https://hooks.example.org/portal?token=abc") -> Endpoint:
    return services.endpoint_create(actor=administrator, url=url, description="CRM", events=[Event.DOCUMENT_ISSUED])


@pytest.mark.parametrize("name,method,url", VIEWS, ids=[v[0] for v in VIEWS])
def test_only_administrators_may_use_the_webhook_pages(client, visitors, administrator, name, method, url):
    endpoint = made(administrator)
    (delivery,) = services.deliveries_record(event=Event.DOCUMENT_ISSUED, data={})
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED)
    url = url.format(endpoint=endpoint.pk, delivery=delivery.pk)
    for who in EVERYONE:  # the administrator last
        sign_in_as(client, visitors, who)
        response = getattr(client, method)(url)
        if who == ANONYMOUS:
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (who, url)
        elif who == ADMINISTRATOR:
            assert response.status_code in (200, 302), (who, url, response.status_code)
        else:
            assert response.status_code == 404, (who, url, response.status_code)


def test_every_webhook_page_is_in_the_matrix():
    covered = {resolve(url.format(endpoint=1, delivery=1)).view_name for _name, _method, url in VIEWS}
    existing = {
        f"webhooks:{name}"
        for name in get_resolver().namespace_dict["webhooks"][1].reverse_dict
        if isinstance(name, str)
    }
    assert existing == covered


def test_an_endpoint_is_made_its_secret_shown_once_and_audited(client, administrator):
    client.force_login(administrator)
    response = client.post(
        "/webhooks/new/",
        {
            "url": "https://hooks.example.org/in",
            "description": "CRM",
            "events": [Event.ASSESSMENT_SCHEDULED, Event.DOCUMENT_REVOKED],
        },
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert response.url == f"/webhooks/{endpoint.pk}/secret/"
    assert endpoint.secret in client.get(response.url).content.decode()
    assert endpoint.events == [Event.ASSESSMENT_SCHEDULED, Event.DOCUMENT_REVOKED]
    for page in (f"/webhooks/{endpoint.pk}/secret/", "/webhooks/", f"/webhooks/{endpoint.pk}/deliveries/"):
        assert endpoint.secret not in client.get(page, follow=True).content.decode()  # never again
    assert Endpoint.objects.count() == 1
    entry = AuditEntry.objects.get(action=services.ENDPOINT_CREATED)
    assert (entry.actor, entry.subject_label) == (administrator, "webhook hooks.example.org")


def test_a_new_secret_replaces_the_old_one_and_is_audited(client, administrator):
    endpoint = made(administrator)
    old = endpoint.secret
    client.force_login(administrator)
    response = client.post(f"/webhooks/{endpoint.pk}/secret/", follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()
    assert AuditEntry.objects.filter(action=services.ENDPOINT_SECRET_ROTATED, actor=administrator).count() == 1


def test_an_endpoint_is_changed_disabled_and_deleted_with_audit_entries(client, administrator):
    endpoint = made(administrator)
    client.force_login(administrator)
    response = client.post(
        f"/webhooks/{endpoint.pk}/",
        {"url": "https://hooks.example.org/v2", "description": "", "events": [Event.OBJECTION_LODGED]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.is_active) == (
        "https://hooks.example.org/v2",
        [Event.OBJECTION_LODGED],
        False,  # the box was not ticked
    )
    client.post(f"/webhooks/{endpoint.pk}/delete/")
    assert not Endpoint.objects.exists()
    assert [e.action for e in AuditEntry.objects.order_by("pk")] == [
        services.ENDPOINT_CREATED,
        services.ENDPOINT_CHANGED,
        services.ENDPOINT_DELETED,
    ]


def test_an_endpoint_needs_an_event_and_an_allowed_address(client, administrator, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    client.force_login(administrator)
    response = client.post("/webhooks/new/", {"url": "http://hooks.example.org/", "description": "", "events": []})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"events"}  # the form asks for an event first
    response = client.post(
        "/webhooks/new/", {"url": "http://hooks.example.org/", "description": "", "events": [Event.DOCUMENT_ISSUED]}
    )
    assert "url" in response.context["form"].errors
    assert not Endpoint.objects.exists()


def test_the_deliveries_page_lists_each_attempt_with_its_answer(client, administrator):
    endpoint = made(administrator)
    (delivery,) = services.deliveries_record(event=Event.DOCUMENT_ISSUED, data={})
    delivery.attempt_set.create(started_at=delivery.created_at, status_code=502, response="upstream gone")
    delivery.attempt_set.create(started_at=delivery.created_at, error="TimeoutError: timed out")
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, attempts=2)
    client.force_login(administrator)
    page = client.get(f"/webhooks/{endpoint.pk}/deliveries/").content.decode()
    for shown in ("Document issued", "Failed", "502", "upstream gone", "TimeoutError: timed out", delivery.message_id):
        assert shown in page
    assert "Send again" in page


def test_another_endpoints_deliveries_are_not_listed(client, administrator):
    first, second = made(administrator), made(administrator, url="https://second.example.org/")
    services.deliveries_record(event=Event.DOCUMENT_ISSUED, data={})
    client.force_login(administrator)
    page = client.get(f"/webhooks/{first.pk}/deliveries/")
    assert [d.endpoint_id for d in page.context["page"].object_list] == [first.pk]
    assert second.deliveries.count() == 1


def test_the_audit_trail_shows_the_endpoints_changes(client, administrator):
    made(administrator)
    client.force_login(administrator)
    response = client.get("/audit/")
    assert response.status_code == 200
    assert "webhook hooks.example.org" in response.content.decode()


@pytest.mark.parametrize("page", ["/notifications/", "/assessments/reports/"])
def test_the_administrators_find_the_webhooks_from_the_e_mails_and_the_reports(client, administrator, page):
    client.force_login(administrator)
    assert 'href="/webhooks/"' in client.get(page).content.decode()


def test_a_secret_is_shown_on_its_own_endpoints_page_only(client, administrator):
    first, second = made(administrator), made(administrator, url="https://second.example.org/")
    client.force_login(administrator)
    client.post(f"/webhooks/{first.pk}/secret/")
    first.refresh_from_db()
    response = client.get(f"/webhooks/{second.pk}/secret/")
    assert response.status_code == 302 and response.url == f"/webhooks/{second.pk}/"
    assert first.secret not in client.get(response.url).content.decode()
