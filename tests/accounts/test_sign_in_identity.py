"""One normalised identity for signing in, counting failures and limiting reset e-mails: a
look-alike spelling that signs in to an account counts for that account."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User, normalise_email

from .. import factories
from ..emails import deliver

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
LIMIT = 5
ADDRESS = "assessor@example.org"
# Spellings that Django's sign-in form folds into ADDRESS (NFKC): full-width "ａ", long "ſ",
# and both in capitals.
LOOK_ALIKES = ["ａssessor@example.org", "asſessor@example.org", "ＡSSESSOR@EXAMPLE.ORG", "aſſeſſor@example.org"]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.PASSWORD_RESET_EMAILS_PER_ADDRESS = "3/h"


@pytest.fixture
def assessor():
    return factories.AssessorFactory(email=ADDRESS)


def sign_in(client, email, password=PASSWORD, url="/accounts/login/"):
    return client.post(url, {"username": email, "password": password})


@pytest.mark.parametrize("spelling", LOOK_ALIKES)
def test_every_spelling_that_signs_in_is_the_account_itself(spelling):
    assert normalise_email(spelling) == ADDRESS


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("spelling", LOOK_ALIKES)
def test_a_look_alike_spelling_does_not_escape_the_lock(client, assessor, spelling, url):
    for _attempt in range(LIMIT):
        sign_in(client, ADDRESS, "wrong password", url)
    assert sign_in(client, spelling, url=url).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("spelling", LOOK_ALIKES)
def test_look_alike_failures_count_for_the_account(client, assessor, spelling):
    for _attempt in range(LIMIT):
        sign_in(client, spelling, "wrong password")
    assert sign_in(client, ADDRESS).status_code == 429


def test_a_look_alike_spelling_with_the_right_password_still_signs_in(client, assessor):
    assert sign_in(client, LOOK_ALIKES[0]).status_code == 302


def test_an_address_is_stored_in_the_folded_spelling():
    assert factories.CandidateFactory(email="ＡNNA@Example.org").email == "anna@example.org"


def test_accounts_are_found_by_the_folded_spelling_only(assessor):
    assert list(User.objects.by_email(LOOK_ALIKES[1])) == [assessor]
    # A letter that a database's own case folding would match (PostgreSQL: UPPER('ı') = 'I') but
    # that is another character is another address.
    assert not User.objects.by_email("assessor@example.org".replace("o", "ο")).exists()
    assert not User.objects.by_email("aſsessor@exampıe.org").exists()


def test_look_alike_spellings_share_the_reset_limit_of_the_address(assessor):
    for number, spelling in enumerate([ADDRESS, *LOOK_ALIKES, *LOOK_ALIKES]):
        Client().post("/accounts/password/reset/", {"email": spelling}, REMOTE_ADDR=f"198.51.100.{number}")
    deliver()
    assert len(mail.outbox) == 3
    assert {message.to[0] for message in mail.outbox} == {ADDRESS}


@pytest.mark.parametrize(
    "spelling",
    ["assessor@ex\u00adample.org", "assessor@exa\u200bmple.org", "assessor@ex\u200dample.org", "ASSESSOR@EXAMPLE.ORG"],
)
def test_an_invisible_character_in_the_domain_is_not_another_mailbox(spelling):
    """Mail to such an address reaches the plain one (the domain is addressed by IDNA)."""
    assert normalise_email(spelling) == ADDRESS


def test_a_german_sharp_s_in_the_domain_is_written_as_mail_addresses_it():
    assert normalise_email("Jan@Straße.DE") == "jan@strasse.de"


def test_an_account_with_an_invisible_character_in_its_domain_is_a_duplicate(assessor):
    from accounts import services

    from ..rules import breaks_rule

    with breaks_rule("duplicate", "email"):
        services.account_create(
            created_by=factories.AdministratorFactory(),
            email="assessor@ex\u00adample.org",
            first_name="Second",
            last_name="Account",
            role=User.Role.CANDIDATE,
            invite=False,
        )
