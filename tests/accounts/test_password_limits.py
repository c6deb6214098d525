"""Password reset is limited per address and per client without telling who has an account;
wrong old passwords on the change form count like sign-in failures."""

import pytest
from django.core import mail
from django.test import Client

from .. import factories
from ..emails import deliver

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PASSWORD_RESET_EMAILS_PER_ADDRESS = "3/h"
    settings.PASSWORD_RESET_REQUESTS_PER_CLIENT = "10/h"
    settings.AXES_FAILURE_LIMIT = 5


def request_reset(client, email, **extra):
    """Ask for a reset link; then the worker sends what was queued."""
    response = client.post("/accounts/password/reset/", {"email": email}, **extra)
    deliver()
    return response


def test_twenty_requests_for_one_address_send_at_most_the_limit(client, candidate):
    responses = [request_reset(client, candidate.email) for _ in range(20)]
    assert len(mail.outbox) == 3
    assert {(r.status_code, r.url) for r in responses} == {(302, "/accounts/password/reset/sent/")}


def test_the_address_limit_holds_across_clients_and_cases(candidate):
    for number in range(20):
        request_reset(
            Client(), candidate.email.upper() if number % 2 else candidate.email, REMOTE_ADDR=f"198.51.100.{number}"
        )
    assert len(mail.outbox) == 3


def test_one_client_asking_for_many_addresses_is_limited(client):
    people = [factories.CandidateFactory() for _ in range(15)]
    for person in people:
        request_reset(client, person.email)
    assert len(mail.outbox) == 10
    # Another client is not held back by it.
    request_reset(Client(), people[-1].email, REMOTE_ADDR="198.51.100.9")
    assert len(mail.outbox) == 11


def test_the_page_answers_the_same_for_unknown_and_limited_addresses(client, candidate):
    known = request_reset(client, candidate.email)
    unknown = request_reset(client, "nobody@example.org")
    for _ in range(5):
        limited = request_reset(client, candidate.email)
    for response in (known, unknown, limited):
        assert (response.status_code, response.url) == (302, "/accounts/password/reset/sent/")
    assert len(mail.outbox) == 1 + 2


def change_password(client, old, new="a-brand-new-passphrase"):
    return client.post("/accounts/password/change/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_wrong_old_passwords_count_like_sign_in_failures(client, candidate):
    client.force_login(candidate)
    for attempt in range(1, 6):
        response = change_password(client, "wrong password")
        assert response.status_code == (429 if attempt == 5 else 200)  # locked at the fifth failure
    assert "Too many failed attempts" in response.content.decode()
    # The locked session is signed out, and the right old password is no longer checked either.
    assert "_auth_user_id" not in client.session
    client.force_login(candidate)
    assert change_password(client, PASSWORD).status_code == 429
    candidate.refresh_from_db()
    assert candidate.check_password(PASSWORD)
    # And the same count locks the sign-in of that account from this address.
    assert Client().post("/accounts/login/", {"username": candidate.email, "password": PASSWORD}).status_code == 429


def test_sign_in_failures_lock_the_change_form_too(client, candidate):
    for _ in range(5):
        Client().post("/accounts/login/", {"username": candidate.email, "password": "wrong password"})
    client.force_login(candidate)
    assert change_password(client, PASSWORD).status_code == 429


def test_a_right_old_password_changes_it(client, candidate):
    client.force_login(candidate)
    assert change_password(client, "wrong password").status_code == 200
    assert change_password(client, PASSWORD).status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password("a-brand-new-passphrase")


def test_the_typed_passwords_are_not_kept_with_the_failure(client, candidate):
    from axes.models import AccessAttempt

    client.force_login(candidate)
    change_password(client, "my-secret-guess", new="my-secret-new-one")
    kept = AccessAttempt.objects.get().post_data
    assert "old_password" in kept and "my-secret" not in kept


def reset_link(message) -> str:
    return next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line).strip()


def test_the_reset_link_is_built_on_the_portal_address_not_the_host_header(client, candidate, settings):
    settings.ALLOWED_HOSTS = ["portal.example.org", "attacker.example"]
    request_reset(client, candidate.email, HTTP_HOST="attacker.example")
    link = reset_link(mail.outbox[0])
    assert link.startswith(f"{settings.PORTAL_BASE_URL}/accounts/password/reset/")
    assert "attacker.example" not in mail.outbox[0].body


@pytest.fixture
def later(monkeypatch):
    """Moves the clock of the set-password links forward by some seconds."""
    from datetime import datetime, timedelta

    from django.contrib.auth.tokens import PasswordResetTokenGenerator

    def shift(seconds):
        monkeypatch.setattr(
            PasswordResetTokenGenerator, "_now", lambda self: datetime.now() + timedelta(seconds=seconds)
        )

    return shift


def link_works(path) -> bool:
    return Client().get(path, follow=True).context["validlink"]


def test_a_reset_link_lives_an_hour(client, candidate, settings, later):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    request_reset(client, candidate.email)
    path = reset_link(mail.outbox[0]).removeprefix(settings.PORTAL_BASE_URL)
    assert "De link blijft 60 minuten geldig." in mail.outbox[0].body  # in the account's language (nl)
    later(3500)
    assert link_works(path)
    later(3700)
    assert not link_works(path)


def test_an_invitation_keeps_its_week_and_is_not_a_reset_link(settings, later):
    from accounts import emails

    assert settings.INVITATION_TIMEOUT == 7 * 24 * 3600
    person = factories.AssessorFactory()
    person.set_unusable_password()
    person.save()
    invitation = emails.invitation_url(person).removeprefix(settings.PORTAL_BASE_URL)
    later(6 * 24 * 3600)
    assert link_works(invitation)
    # The same token on the reset page is refused: each kind of link is signed for its own use.
    assert not link_works(invitation.replace("/accounts/invitation/", "/accounts/password/reset/"))
    later(8 * 24 * 3600)
    assert not link_works(invitation)
