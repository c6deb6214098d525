"""Sign-in throttling (django-axes): one count per account and client address, shared by the
portal's sign-in, the Django admin's and the password change form, kept in the database."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.utils import translation

from .. import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
LIMIT = 5


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def sign_in(client, email, password=PASSWORD, url="/accounts/login/", **extra):
    return client.post(url, {"username": email, "password": password}, **extra)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, email, times, url="/accounts/login/", **extra):
    for _attempt in range(times):
        response = sign_in(client, email, "wrong password", url, **extra)
        assert response.status_code in (200, 429)


def test_a_correct_password_signs_in(client, candidate):
    assert sign_in(client, candidate.email).status_code == 302 and is_signed_in(client)


def test_the_portal_locks_an_account_after_the_limit_with_a_translated_page(client, candidate):
    fail(client, candidate.email, LIMIT)
    response = sign_in(client, candidate.email)
    assert response.status_code == 429 and not is_signed_in(client)
    assert "Too many failed attempts" in response.content.decode()
    assert 'name="password"' in response.content.decode()  # the sign-in page itself, with the message
    assert "no-store" in response.headers["Cache-Control"]
    with translation.override("nl"):
        response = sign_in(client, candidate.email, HTTP_ACCEPT_LANGUAGE="nl")
    assert "Te veel mislukte pogingen" in response.content.decode()


def test_the_django_admin_sign_in_is_throttled(client, administrator):
    fail(client, administrator.email, LIMIT, url="/admin/login/")
    response = sign_in(client, administrator.email, url="/admin/login/")
    assert response.status_code == 429 and not is_signed_in(client)


def test_the_portal_and_the_admin_share_one_count(client, administrator):
    fail(client, administrator.email, LIMIT - 2)
    fail(client, administrator.email, 2, url="/admin/login/")
    assert sign_in(client, administrator.email).status_code == 429
    assert sign_in(client, administrator.email, url="/admin/login/").status_code == 429
    assert not is_signed_in(client)


def test_the_counts_live_in_the_database_shared_by_every_process(client, candidate):
    from axes.models import AccessAttempt

    fail(client, candidate.email, 2)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (candidate.email, "127.0.0.1", 2)


def test_the_case_of_the_address_does_not_escape_the_count(client, candidate):
    for variant in [
        candidate.email.upper(),
        candidate.email.title(),
        f"  {candidate.email}",
        candidate.email,
        candidate.email.capitalize(),
    ]:
        sign_in(client, variant, "wrong password")
    assert sign_in(client, candidate.email).status_code == 429


def test_nobody_can_lock_a_person_out_from_another_address(client, candidate, other_candidate):
    fail(client, candidate.email, LIMIT + 3, REMOTE_ADDR="203.0.113.66")
    assert sign_in(client, candidate.email, REMOTE_ADDR="203.0.113.66").status_code == 429
    # The person, from their own address, still signs in; so does another account from the attacker's.
    assert sign_in(Client(), candidate.email, REMOTE_ADDR="198.51.100.7").status_code == 302
    assert sign_in(Client(), other_candidate.email, REMOTE_ADDR="203.0.113.66").status_code == 302


def test_the_proxy_header_is_ignored_unless_a_proxy_is_configured(client, candidate):
    for number in range(LIMIT):
        sign_in(client, candidate.email, "wrong password", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert sign_in(client, candidate.email, HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429


def test_behind_a_configured_proxy_the_address_it_saw_is_counted(client, candidate, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy (10.0.0.2) appends the address it saw; whatever the client wrote before it is ignored.
    for number in range(LIMIT):
        sign_in(
            client,
            candidate.email,
            "wrong password",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.66",
        )
    assert (
        sign_in(client, candidate.email, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429
    )
    assert (
        sign_in(Client(), candidate.email, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code
        == 302
    )


@pytest.mark.parametrize(
    "proxies,forwarded,expected",
    [
        (0, "192.0.2.1", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "192.0.2.1, 203.0.113.66", "203.0.113.66"),
        (2, "192.0.2.1, 203.0.113.66, 198.51.100.1", "203.0.113.66"),
        (2, "203.0.113.66", "10.0.0.2"),
        (1, "192.0.2.1, not-an-address", "10.0.0.2"),
    ],
)
def test_the_client_address_behind_proxies(settings, rf, proxies, forwarded, expected):
    from accounts.sign_in import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_successful_sign_in_clears_the_count(client, candidate):
    fail(client, candidate.email, LIMIT - 1)
    assert sign_in(client, candidate.email).status_code == 302
    client.logout()
    fail(client, candidate.email, LIMIT - 1)
    assert sign_in(client, candidate.email).status_code == 302


def test_the_hand_written_throttling_is_gone(settings):
    import importlib.util

    for name in ("LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_SECONDS", "LOGIN_TRUST_X_FORWARDED_FOR"):
        assert not hasattr(settings, name), name
    assert importlib.util.find_spec("accounts.throttling") is None
    assert importlib.util.find_spec("assessments.throttling") is None


@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_passwords_do_not_get_past_the_limit(monkeypatch):
    """N wrong passwords at the same moment: at most LIMIT are checked, and the right one then fails."""
    candidate = factories.CandidateFactory()
    User = get_user_model()
    checked = []
    real_check = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, raw: checked.append(raw) or real_check(self, raw))
    attempts = 12
    barrier = threading.Barrier(attempts)
    statuses = []

    def guess():
        try:
            barrier.wait(timeout=30)
            statuses.append(sign_in(Client(), candidate.email, "wrong password").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == attempts and set(statuses) <= {200, 429}
    assert len(checked) <= LIMIT, f"{len(checked)} passwords were checked"
    client = Client()
    assert sign_in(client, candidate.email).status_code == 429 and not is_signed_in(client)


def test_one_address_failing_across_many_accounts_waits(client, settings):
    """Password spraying: one wrong password on each of many accounts from one address."""
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = 8
    people = [factories.CandidateFactory() for _ in range(9)]
    for person in people[:8]:
        assert sign_in(client, person.email, "Winter2026!").status_code == 200
    # The ninth account's password is not even checked from that address, right or wrong.
    response = sign_in(client, people[8].email)
    assert response.status_code == 429 and not is_signed_in(client)
    assert "Too many failed attempts" in response.content.decode()
    assert sign_in(client, people[8].email, url="/admin/login/").status_code == 429
    # Nobody else is held back by it: the same people sign in from their own addresses.
    for person in people:
        assert sign_in(Client(), person.email, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_address_limit_counts_wrong_old_passwords_too(client, settings, candidate):
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = 3
    client.force_login(candidate)
    for _attempt in range(3):
        client.post("/accounts/password/change/", {"old_password": "wrong", "new_password1": "x", "new_password2": "x"})
    assert sign_in(Client(), factories.CandidateFactory().email).status_code == 429


def test_failures_below_the_address_limit_do_not_lock_the_address(client, settings):
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = 8
    people = [factories.CandidateFactory() for _ in range(8)]
    for person in people[:7]:
        sign_in(client, person.email, "Winter2026!")
    assert sign_in(client, people[7].email).status_code == 302


@pytest.mark.parametrize(
    "address,network",
    [
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.66", "203.0.113.66"),
        ("203.0.113.66", "203.0.113.66"),
    ],
)
def test_the_limits_per_client_count_an_ipv6_network_as_one_client(rf, address, network):
    from accounts.sign_in import client_network

    assert client_network(rf.get("/", REMOTE_ADDR=address)) == network


def test_a_new_ipv6_address_per_guess_does_not_escape_the_limit_across_accounts(settings):
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = 4
    people = [factories.CandidateFactory() for _ in range(5)]
    for number, person in enumerate(people[:4], start=1):
        sign_in(Client(), person.email, "Winter2026!", REMOTE_ADDR=f"2001:db8:1:2::{number}")
    assert sign_in(Client(), people[4].email, REMOTE_ADDR="2001:db8:1:2::99").status_code == 429
    # Another network is another client.
    assert sign_in(Client(), people[4].email, REMOTE_ADDR="2001:db8:1:3::1").status_code == 302
