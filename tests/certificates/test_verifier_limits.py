"""What one visitor of the public verifier may cost: the work per PDF and the checks per client."""

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

from certificates.sealing import _load_seal, seal_pdf

from .sealing_helpers import check, make_seal, tiny_pdf, with_updates

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[2]
TOO_COMPLEX = (
    "This PDF is too complex to check (too many revisions or objects, or checking it takes too long). "
    "A document of this test centre is never that complex."
)


@pytest.fixture
def tiny_sealed(tmp_path) -> bytes:
    """A blank page sealed with a seal the verifier trusts: genuine, and sealed as a whole."""
    seal = _load_seal(str(make_seal(tmp_path, name="Portal test seal")), 0, "pass")
    return seal_pdf(tiny_pdf(), seal=seal)


def test_a_tiny_sealed_pdf_is_checked_as_usual(client, tiny_sealed):
    result = check(client, tiny_sealed).json()
    assert {item["check"]: item["ok"] for item in result["checks"]}["unchanged"] is True
    # Judged, not too complex: objects nothing refers to change nothing (pyHanko), but a blank page carries no credential.
    assert check(client, with_updates(tiny_sealed, 3)).json()["verdict"] == "invalid"


def test_thousands_of_tiny_updates_are_too_complex_and_answered_at_once(client, tiny_sealed):
    attack = with_updates(tiny_sealed, 2000)
    started = time.monotonic()
    response = check(client, attack)
    assert time.monotonic() - started < 2
    assert response.status_code == 422
    assert response.json() == {"verdict": None, "code": "too_complex", "error": TOO_COMPLEX}


def test_too_complex_is_said_on_the_page_in_the_visitors_language(client, tiny_sealed):
    response = client.post("/verify/", {"file": io.BytesIO(with_updates(tiny_sealed, 2000))}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 422
    assert "Deze PDF is te complex om te controleren" in response.content.decode()


def test_a_pdf_with_too_many_objects_is_too_complex(client, settings, tiny_sealed):
    settings.VERIFY_MAX_PDF_OBJECTS = 500
    assert check(client, with_updates(tiny_sealed, 1, objects=400)).json().get("code") is None
    assert check(client, with_updates(tiny_sealed, 1, objects=600)).json()["code"] == "too_complex"


def test_reading_a_pdf_stops_at_the_time_limit(client, settings, tiny_sealed):
    settings.VERIFY_MAX_PDF_REVISIONS = 1_000_000  # only the clock stops this one
    settings.VERIFY_PDF_SECONDS = 0.1
    attack = with_updates(tiny_sealed, 5000)
    started = time.monotonic()
    response = check(client, attack)
    assert time.monotonic() - started < 1.5
    assert response.status_code == 422 and response.json()["code"] == "too_complex"


def test_one_client_checks_a_limited_number_of_files(client, settings, tiny_sealed):
    settings.VERIFY_CHECKS_PER_CLIENT = "2/m"
    assert [check(client, tiny_sealed).status_code for _ in range(2)] == [200, 200]
    response = check(client, tiny_sealed)
    assert response.status_code == 429
    assert response.json() == {
        "verdict": None,
        "code": "rate_limited",
        "error": "Too many files were checked from your address; try again later.",
    }
    page = client.post("/verify/", {"file": io.BytesIO(tiny_sealed)}, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 429 and "Trop de fichiers ont été vérifiés depuis votre adresse" in page.content.decode()
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert check(other, tiny_sealed).status_code == 200  # another client is not held up


@pytest.mark.parametrize("filler", ["7", "7 ", "0000000000 00000 "])
def test_counting_a_long_run_of_digits_takes_one_pass(filler):
    """The counting itself must not be the attack: a pattern that retried from every digit took
    6 s for 30 KB of digits, and would take days for 5 MiB. 400 KB must count at once; the
    generous bound only tells a linear scan (milliseconds) from the old quadratic one (hours).
    A process of its own, since a regular expression holds the interpreter until it is done."""
    count = (
        "from certificates import pdf_limits; "
        f"print(pdf_limits.objects(b'%PDF-1.7\\n' + {filler!r}.encode() * {400_000 // len(filler)}))"
    )
    try:
        subprocess.run([sys.executable, "-c", count], check=True, timeout=60, capture_output=True, cwd=PROJECT)
    except subprocess.TimeoutExpired:
        pytest.fail("counting objects in a run of digits does not finish")


def test_object_headers_are_counted_whatever_the_white_space():
    from certificates import pdf_limits

    data = b"1 0 obj\n<<>>\nendobj\n12\r\n0\r\nobj<<>>endobj 123\t4 obj 5 0 objx 9999999999 0 obj"
    assert pdf_limits.objects(data) == 4
