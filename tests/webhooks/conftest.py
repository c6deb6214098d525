import pytest

from webhooks import services
from webhooks.models import Event

from .receiver import Receiver, running


@pytest.fixture
def receiver(settings):
    """A local receiver, and the setting that lets webhooks reach 127.0.0.1."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with running(Receiver()) as serving:
        yield serving


@pytest.fixture
def endpoint(db, receiver, administrator):
    """An endpoint on the local receiver, subscribed to every event; the receiver knows its secret."""
    made = services.endpoint_create(actor=administrator, url=receiver.url, description="Local", events=Event.values)
    receiver.secret = made.secret
    return made
