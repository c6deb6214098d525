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


def test_the_headers_language_switch_changes_the_signed_in_persons_language(client, candidate):
    client.force_login(candidate)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/assessments/"}, follow=True)
    candidate.refresh_from_db()
    assert candidate.preferred_language == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_the_language_switch_for_a_visitor_only_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"


def test_an_unknown_language_from_the_switch_changes_nothing(client, candidate):
    before = candidate.preferred_language
    client.force_login(candidate)
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    candidate.refresh_from_db()
    assert candidate.preferred_language == before


def test_setting_the_password_from_an_invitation_signs_in_in_the_persons_language(settings):
    from accounts import emails

    person = factories.AssessorFactory(preferred_language="fr")
    person.set_unusable_password()
    person.save()
    client = Client()
    client.cookies["django_language"] = "nl"  # the browser had Dutch before
    form_page = client.get(emails.invitation_url(person).removeprefix(settings.PORTAL_BASE_URL), follow=True)
    password = "a long new passphrase 42"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True
    )
    assert response.wsgi_request.user == person
    assert '<html lang="fr">' in response.content.decode()


def test_a_password_reset_e_mail_is_in_the_accounts_language(client):
    from django.core import mail

    from ..emails import deliver

    person = factories.CandidateFactory(preferred_language="fr")
    client.cookies["django_language"] = "nl"  # asked from a Dutch page
    client.post("/accounts/password/reset/", {"email": person.email})
    deliver()
    assert "Le lien reste valable 60 minutes." in mail.outbox[-1].body
