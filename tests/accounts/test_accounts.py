import re
from unittest import mock

import pytest
from django.core import mail

from accounts import services
from accounts.models import User
from audit.models import AuditEntry
from notifications.models import Notification

from ..emails import deliver

pytestmark = pytest.mark.django_db


def invitation_link(message) -> str:
    return re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)


def test_administrator_creates_a_candidate_who_gets_an_invitation(client, administrator):
    client.force_login(administrator)
    response = client.post(
        "/accounts/people/new/candidate/",
        {
            "first_name": "Nora",
            "last_name": "Nieuw",
            "email": "Nora@Example.org",
            "preferred_language": "fr",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nora@example.org")
    assert user.role == User.Role.CANDIDATE and not user.has_usable_password()
    assert mail.outbox == []  # queued: no mail server is waited for in the request
    deliver()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nora@example.org"]
    assert "mot de passe" in mail.outbox[0].body  # in the candidate's own language
    assert AuditEntry.objects.filter(action="account_created", actor=administrator).exists()


def test_the_invitation_link_sets_the_password_and_signs_in(client, administrator):
    services.account_create(
        created_by=administrator,
        email="new@example.org",
        first_name="New",
        last_name="Person",
        role=User.Role.CANDIDATE,
    )
    link = invitation_link(deliver()[0]).split("example.org", 1)[1]
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = client.post(
        form_url, {"new_password1": "a-long-safe-passphrase", "new_password2": "a-long-safe-passphrase"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="new@example.org").check_password("a-long-safe-passphrase")
    assert client.get("/assessments/").status_code == 200
    # The link works once.
    client.logout()
    assert "no longer valid" in client.get(link, follow=True).content.decode()


def test_a_mail_server_that_is_down_never_holds_the_page_and_the_invitation_is_sent_again(client, administrator):
    client.force_login(administrator)
    with mock.patch("notifications.services.EmailMessage.send", side_effect=ConnectionRefusedError("refused")):
        response = client.post(
            "/accounts/people/new/assessor/",
            {"first_name": "Ina", "last_name": "Later", "email": "ina@example.org", "preferred_language": "nl"},
            follow=True,
        )
        assert "the invitation was sent to ina@example.org" in response.content.decode()
        with pytest.raises(ConnectionRefusedError):
            deliver()  # the worker's attempt
    invitation = Notification.objects.get(recipient__email="ina@example.org")
    failed = client.get("/notifications/?status=failed").content.decode()
    assert "Ina Later" in failed and "Invitation" in failed and "ConnectionRefusedError: refused" in failed
    assert "/accounts/invitation/" not in failed  # the page never shows a link that opens an account
    response = client.post(f"/notifications/{invitation.pk}/resend/", follow=True)
    assert "handed to the worker again" in response.content.decode()
    assert [message.to for message in deliver()] == [["ina@example.org"]]
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == ("sent", 2)
    again = client.post(f"/notifications/{invitation.pk}/resend/", follow=True)
    assert "Only a failed e-mail can be sent again." in again.content.decode()
    assert deliver() == []


def test_duplicate_email_is_refused_with_a_message(client, administrator, candidate):
    client.force_login(administrator)
    response = client.post(
        "/accounts/people/new/assessor/",
        {
            "first_name": "X",
            "last_name": "Y",
            "email": candidate.email.upper(),
            "preferred_language": "en",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 2


def test_login_with_email_and_password(client, candidate):
    response = client.post("/accounts/login/", {"username": candidate.email, "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/").url == "/assessments/"


def test_the_email_address_is_not_case_sensitive_at_login(client, candidate):
    response = client.post(
        "/accounts/login/", {"username": candidate.email.upper(), "password": "correct horse battery"}
    )
    assert response.status_code == 302


def test_a_few_typos_behind_one_proxy_do_not_lock_out_everyone(client, candidate, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for number in range(3):
        client.post("/accounts/login/", {"username": f"typo{number}@example.org", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": candidate.email, "password": "correct horse battery"})
    assert response.status_code == 302


def test_password_reset_sends_a_link_that_the_e_mails_page_never_shows(client, candidate, administrator):
    response = client.post("/accounts/password/reset/", {"email": candidate.email})
    assert response.status_code == 302
    assert mail.outbox == []  # queued: the worker sends it
    [message] = deliver()
    link = re.search(r"/accounts/password/reset/\S+/\S+/", message.body).group(0)
    client.force_login(administrator)
    page = client.get("/notifications/").content.decode()
    assert "Password reset" in page and "Chris Candidate" in page and link not in page


def test_logout_needs_a_post(client, candidate):
    client.force_login(candidate)
    assert client.get("/accounts/logout/").status_code == 405  # a link or an image cannot log anyone out
    assert client.get("/assessments/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/assessments/").status_code == 302
