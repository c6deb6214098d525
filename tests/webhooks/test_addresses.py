"""A webhook never reaches a private, loopback, link-local or otherwise non-public address unless
the setting allows it, whether the URL names the address or a host name resolving to it, and the
connection goes to the address checked."""

import socket

import pytest
from django.core.exceptions import ValidationError

from webhooks import sending, services
from webhooks.models import Delivery, Event

from ..test_deployment import PRODUCTION_ENV, manage
from .receiver import Receiver, running

pytestmark = pytest.mark.django_db

REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fd00::1",
    "::ffff:127.0.0.1",
    # IPv4 carried in IPv6: 6to4, NAT64 (well-known and local-use), IPv4-translated, Teredo.
    "2002:7f00:1::",
    "2002:a00:1::",
    "2002:a9fe:a9fe::",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::a00:1",
    "::ffff:0:7f00:1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    # Deprecated site-local.
    "fec0::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_a_non_public_address_is_refused(address):
    assert sending.address_refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700:4700::1111", "2002:5db8:d70e::"])
def test_a_public_address_is_allowed(address):
    assert sending.address_refusal(address) is None


def resolving_to(monkeypatch, names: dict[str, list[str]]):
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hooks",
        "http://10.0.0.8/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/hooks",
        "http://localhost:9/hooks",
        "https://inside.example.org/hooks",
        "https://partly-inside.example.org/hooks",
    ],
)
def test_with_the_setting_off_nothing_is_sent_to_a_url_that_is_or_resolves_to_such_an_address(
    url, monkeypatch, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    resolving_to(
        monkeypatch,
        {"inside.example.org": ["10.0.0.5"], "partly-inside.example.org": ["93.184.215.14", "169.254.169.254"]},
    )
    connects = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connects.append(a))
    with pytest.raises(sending.Refused):
        sending.post(url, body=b"{}", headers={})
    assert connects == []


def test_a_refused_address_is_a_failed_attempt_that_says_why(settings, administrator):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with running(Receiver()) as receiver:
        endpoint = services.endpoint_create(
            actor=administrator, url=receiver.url, description="", events=[Event.DOCUMENT_ISSUED]
        )
        (delivery,) = services.deliveries_record(event=Event.DOCUMENT_ISSUED, data={})
        assert services.delivery_send(delivery_id=delivery.pk, attempt_id="t") is False
    assert receiver.received == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert "127.0.0.1 (loopback)" in delivery.attempt_set.get().error
    assert endpoint.deliveries.count() == 1


def test_the_connection_goes_to_the_address_checked_not_to_a_second_lookup(monkeypatch, receiver, endpoint):
    """DNS rebinding: a name that answers a harmless address to the check and an inside one later
    gains nothing, since the name is looked up once and the address it gave is connected to."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    answers = iter([["127.0.0.1"], ["10.0.0.5"]])  # the second lookup would point elsewhere inside
    lookups = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.example.test":  # connecting to an address looks it up too
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in next(answers)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    real_connect = socket.create_connection
    connected = []
    monkeypatch.setattr(
        socket, "create_connection", lambda address, *a: connected.append(address) or real_connect(address, *a)
    )
    endpoint.url = f"http://hooks.example.test:{port}/hooks/"
    endpoint.save()
    (delivery,) = services.deliveries_record(event=Event.DOCUMENT_ISSUED, data={})
    assert services.delivery_send(delivery_id=delivery.pk, attempt_id="t") is True
    assert lookups == ["hooks.example.test"]
    assert connected == [("127.0.0.1", port)]
    assert receiver.received[0].headers["host"] == f"hooks.example.test:{port}"


def test_an_address_that_cannot_be_reached_gives_way_to_the_next_one(monkeypatch, receiver, endpoint):
    port = int(receiver.url.split(":")[2].split("/")[0])
    resolving_to(monkeypatch, {"hooks.example.test": ["10.9.9.9", "10.9.9.10", "127.0.0.1"]})
    real_connect = socket.create_connection
    tried = []
    failures = {"10.9.9.9": TimeoutError("timed out"), "10.9.9.10": OSError(113, "No route to host")}

    def create_connection(address, *args):
        tried.append(address[0])
        if address[0] in failures:
            raise failures[address[0]]
        return real_connect(address, *args)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    endpoint.url = f"http://hooks.example.test:{port}/hooks/"
    endpoint.save()
    (delivery,) = services.deliveries_record(event=Event.DOCUMENT_ISSUED, data={})
    assert services.delivery_send(delivery_id=delivery.pk, attempt_id="t") is True
    assert tried == ["10.9.9.9", "10.9.9.10", "127.0.0.1"]
    assert len(receiver.received) == 1


def test_an_endpoint_deleted_while_its_message_is_claimed_leaves_nothing_to_send(monkeypatch, receiver, endpoint):
    claim = services._claim

    def claimed_then_deleted(*args):
        taken = claim(*args)
        services.endpoint_delete(actor=None, endpoint=endpoint)
        return taken

    monkeypatch.setattr(services, "_claim", claimed_then_deleted)
    (delivery,) = services.deliveries_record(event=Event.DOCUMENT_ISSUED, data={})
    assert services.delivery_send(delivery_id=delivery.pk, attempt_id="t") is False
    assert receiver.received == []
    assert not Delivery.objects.filter(pk=delivery.pk).exists()


def test_production_requires_https(settings, administrator):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    with pytest.raises(ValidationError) as refused:
        services.endpoint_create(actor=administrator, url="http://hooks.example.org/", description="", events=["a"])
    assert refused.value.error_dict["url"][0].code == "url_https"
    with pytest.raises(sending.Refused):
        sending.post("http://hooks.example.org/", body=b"{}", headers={})


@pytest.mark.parametrize("url", ["ftp://hooks.example.org/", "https://user:pw@hooks.example.org/"])
def test_only_http_addresses_without_credentials_are_accepted(url, administrator):
    with pytest.raises(ValidationError):
        services.endpoint_create(actor=administrator, url=url, description="", events=[Event.DOCUMENT_ISSUED])


def test_the_production_settings_require_https_and_keep_the_guard():
    code = "from django.conf import settings; print(settings.WEBHOOKS_REQUIRE_HTTPS, settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES)"
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.splitlines()[-1].split() == ["True", "False"], result.stderr


def test_the_deploy_check_warns_when_webhooks_may_reach_inside_or_travel_unencrypted(settings):
    from webhooks.checks import check_webhook_addresses

    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, settings.WEBHOOKS_REQUIRE_HTTPS = True, False
    assert [message.id for message in check_webhook_addresses()] == ["webhooks.W001", "webhooks.W002"]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, settings.WEBHOOKS_REQUIRE_HTTPS = False, True
    assert check_webhook_addresses() == []
