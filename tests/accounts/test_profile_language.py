"""After sign-in the portal speaks the person's own language; they change it on their profile."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts import services

from .. import factories

pytestmark = pytest.mark.django_db


def test_after_sign_in_the_portal_follows_the_persons_language():
    person = factories.CandidateFactory(preferred_language="fr")
    client = Client()
    client.cookies["django_language"] = "nl"  # the visitor had chosen Dutch before signing in
    response = client.post(
        "/accounts/login/", {"username": person.email, "password": "correct horse battery"}, follow=True
    )
    assert response.context["LANGUAGE_CODE"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_the_profile_changes_the_language_and_links_to_the_password_change(client, candidate):
    client.force_login(candidate)
    page = client.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/password/change/"' in page
    response = client.post("/accounts/profile/", {"preferred_language": "nl"}, follow=True)
    candidate.refresh_from_db()
    assert candidate.preferred_language == "nl"
    assert '<html lang="nl">' in response.content.decode()
    assert "Uw taal is opgeslagen." in response.content.decode()


def test_only_a_language_of_the_portal_is_accepted(candidate):
    with pytest.raises(ValidationError) as refused:
        services.account_set_language(user=candidate, language="de")
    assert refused.value.error_dict["language"][0].code == "unknown_language"


def test_the_navigation_links_to_the_profile(client, candidate):
    client.force_login(candidate)
    assert 'href="/accounts/profile/"' in client.get("/assessments/").content.decode()
