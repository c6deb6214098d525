"""accounts.services: administrators create candidate and assessor accounts and invite them."""

from datetime import datetime
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail

from accounts import emails, services
from accounts.models import User
from accounts.tokens import invitation_tokens
from audit.models import AuditEntry
from notifications.models import Notification

from .. import factories
from ..emails import deliver
from ..rules import breaks_rule

pytestmark = pytest.mark.django_db


def create(email="New.Person@Example.org", role=User.Role.CANDIDATE, **extra):
    return services.account_create(
        created_by=factories.AdministratorFactory(),
        email=email,
        first_name="New",
        last_name="Person",
        role=role,
        **extra,
    )


@pytest.mark.parametrize("role", [User.Role.CANDIDATE, User.Role.ASSESSOR])
def test_an_account_is_created_without_a_password_and_invited(role):
    user, invited = create(role=role, preferred_language="fr")
    assert invited is True
    assert (user.email, user.username, user.role) == ("new.person@example.org", "new.person@example.org", role)
    assert User.objects.filter(pk=user.pk, first_name="New", last_name="Person").exists()
    assert not user.has_usable_password()
    assert mail.outbox == []  # stored with the account, sent by the worker
    assert [message.to for message in deliver()] == [["new.person@example.org"]]
    assert "compte" in mail.outbox[0].subject  # in the account's own language
    assert AuditEntry.objects.filter(action="account_created").count() == 1


def test_only_candidate_and_assessor_accounts_are_created_here():
    with breaks_rule("role"):
        create(role=User.Role.ADMINISTRATOR)
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert mail.outbox == []


def test_an_e_mail_address_is_used_by_one_account_only():
    factories.CandidateFactory(email="taken@example.org")
    with breaks_rule("duplicate", "email"):
        create(email=" Taken@EXAMPLE.org")
    assert User.objects.by_email("taken@example.org").count() == 1
    assert mail.outbox == []


def test_a_mail_server_that_is_down_keeps_the_account_and_its_invitation():
    user, _invited = create()
    with (
        mock.patch("notifications.services.EmailMessage.send", side_effect=SMTPException("down")),
        pytest.raises(SMTPException),
    ):
        deliver()
    assert User.objects.filter(pk=user.pk).exists()
    invitation = Notification.objects.get(recipient=user, event=Notification.Event.INVITATION)
    assert (invitation.status, invitation.error) == ("failed", "SMTPException: down")


@pytest.mark.parametrize(
    "account",
    [
        lambda: factories.CandidateFactory(is_active=False),
        lambda: factories.AssessorFactory(is_active=False),
        lambda: factories.AdministratorFactory(),
    ],
    ids=["inactive candidate", "inactive assessor", "administrator"],
)
def test_invitations_go_only_to_active_candidates_and_assessors(account):
    with breaks_rule("role"):
        services.invitation_send(user=account())
    assert not Notification.objects.exists()


def test_an_invitation_carries_a_set_password_link_valid_for_days(settings):
    user = factories.AssessorFactory(preferred_language="en")
    # The token carries the second it was made: one clock for the sending and the test's own link.
    now = datetime(2026, 3, 2, 9, 30, 15)
    with mock.patch.object(invitation_tokens, "_now", return_value=now):
        services.invitation_send(user=user)
        body = deliver()[0].body
        assert emails.invitation_url(user) in body
    assert emails.invitation_url(user).startswith(f"{settings.PORTAL_BASE_URL}/accounts/")
    assert f"The link stays valid for {settings.INVITATION_TIMEOUT // 86400} days." in body


@pytest.mark.parametrize("name", ["Ann\r\nBcc: x@attacker.example", "Ann\tMarie", "An\x00n", "Ann\x85", "\u202eAnn"])
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_names_with_control_characters_are_refused(field, name):
    names = {"first_name": "New", "last_name": "Person", field: name}
    with breaks_rule("control_characters", field):
        services.account_create(
            created_by=factories.AdministratorFactory(), email="new@example.org", role=User.Role.ASSESSOR, **names
        )
    assert not User.objects.filter(email="new@example.org").exists()
    assert mail.outbox == []


def test_names_keep_accents_and_ordinary_punctuation():
    user, _invited = services.account_create(
        created_by=factories.AdministratorFactory(),
        email="zoe@example.org",
        first_name="Zoë-Amélie",
        last_name="O'Brien-Ĳsselstein Çelik",
        role=User.Role.CANDIDATE,
    )
    assert User.objects.get(pk=user.pk).get_full_name() == "Zoë-Amélie O'Brien-Ĳsselstein Çelik"
