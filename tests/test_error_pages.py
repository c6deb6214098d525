"""Friendly error pages in the portal's layout and the visitor's language."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from portal import views

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _failing_views(settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    settings.DEBUG = False


def visit(url: str, language: str = "en", user=None, **extra):
    client = Client(raise_request_exception=False, **extra)
    client.cookies["django_language"] = language
    if user:
        client.force_login(user)
    return client.get(url)


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "url,status,heading",
    [
        ("/no/such/page/", 404, "Page not found"),
        ("/test/forbidden/", 403, "Not allowed"),
        ("/test/suspicious/", 400, "Bad request"),
        ("/test/broken/", 500, "Something went wrong"),
    ],
)
def test_each_error_is_a_page_of_the_portal_with_a_way_back(url, status, heading):
    response = visit(url)
    assert response.status_code == status
    page = text(response)
    assert f"<h1>{heading}</h1>" in page
    assert 'class="navbar' in page and "portal.css" in page  # the portal's own layout
    assert 'href="/">Go to the start page</a>' in page


@pytest.mark.parametrize(
    "url,language,heading",
    [
        ("/no/such/page/", "nl", "Pagina niet gevonden"),
        ("/test/forbidden/", "fr", "Accès refusé"),
        ("/test/broken/", "nl", "Er ging iets mis"),
        ("/test/broken/", "fr", "Une erreur s'est produite"),
    ],
)
def test_error_pages_speak_the_visitors_language(url, language, heading):
    page = text(visit(url, language))
    assert f'<html lang="{language}">' in page
    assert heading in page.replace("&#x27;", "'")


def test_a_signed_in_person_is_offered_their_dashboard(candidate):
    page = text(visit("/no/such/page/", user=candidate))
    assert 'href="/assessments/">Go to my dashboard</a>' in page


def test_an_assessment_of_someone_else_is_the_same_friendly_404(assessment, other_candidate):
    response = visit(f"/assessments/{assessment.pk}/", user=other_candidate)
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in text(response)


def test_the_500_page_renders_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")  # no session, no user: the middleware may not have run
    with translation.override("fr"), django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500
    assert "Une erreur s'est produite" in text(response).replace("&#x27;", "'")


def test_an_expired_form_says_what_to_do(candidate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "The form has expired" in text(response)


def test_an_unknown_verification_code_says_no_such_certificate_exists():
    response = visit("/verify/no-such-code/", "nl")
    assert response.status_code == 404
    assert "Er bestaat geen bewijs met deze verificatiecode." in text(response)
    response = visit("/verify/no-such-code/")
    assert "No proof with this verification code exists." in text(response)


def test_an_assessor_reaching_an_administrators_page_still_gets_a_404(assessor):
    response = visit("/assessments/reports/", user=factories.AssessorFactory())
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in text(response)
