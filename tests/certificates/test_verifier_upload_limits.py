"""The verifier's request: one limit for the whole body, enforced before and while it is read, and
only the file to check kept (in memory)."""

import io

import pytest
from django.test import Client
from django.test.client import FakePayload

pytestmark = pytest.mark.django_db


@pytest.fixture
def bytes_read(monkeypatch) -> list[int]:
    """How many bytes of each request's body the portal read."""
    read: list[int] = []
    original = FakePayload.read

    def counting(self, *args, **kwargs):
        chunk = original(self, *args, **kwargs)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(FakePayload, "read", counting)
    return read


def many_parts() -> dict:
    """The file to check and six more parts, each under the limit of 100,000 bytes, together over it."""
    return {"file": io.BytesIO(b"%PDF-1.7\n"), **{f"part{n}": io.BytesIO(b"x" * 90_000) for n in range(6)}}


def test_many_parts_over_the_limit_together_are_refused_without_being_read(client, settings, bytes_read):
    settings.VERIFY_MAX_UPLOAD_SIZE = 100_000
    response = client.post("/verify/check.json", many_parts())
    assert response.status_code == 413
    assert response.json() == {
        "verdict": None,
        "code": "request_too_large",
        "error": "The upload is too large: send one file of at most 97.7\xa0KB.",
    }
    assert sum(bytes_read) == 0
    page = client.post("/verify/", many_parts(), HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 413 and "stuur één bestand van hoogstens 97,7\xa0KB." in page.content.decode()


def test_the_page_refuses_a_large_request_even_to_a_browser_with_its_csrf_token(settings):
    settings.VERIFY_MAX_UPLOAD_SIZE = 100_000
    browser = Client(enforce_csrf_checks=True)
    token = browser.get("/verify/").cookies["csrftoken"].value
    response = browser.post("/verify/", {"csrfmiddlewaretoken": token, "file": io.BytesIO(b"x" * 200_000)})
    assert (
        response.status_code == 413 and "The upload is too large: send one file of at most" in response.content.decode()
    )


def test_only_the_file_to_check_is_kept(client, monkeypatch):
    from certificates import credential_views

    kept = []
    monkeypatch.setattr(
        credential_views.VerifyFileForm, "clean", lambda form: kept.append(list(form.files)) or form.cleaned_data
    )
    client.post("/verify/check.json", {"file": io.BytesIO(b"{}"), "other": io.BytesIO(b"x" * 1000)})
    assert kept == [["file"]]
