"""The holder's baked badge, and the verifier reading badges (decision 0022)."""

import io
import struct
import zlib
from urllib.parse import urlsplit
from xml.etree import ElementTree

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from openbadgeslib.ob3 import OB3Verifier
from PIL import Image

from audit.models import AuditEntry
from certificates import badges, services
from certificates.models import Certificate

from .. import flows
from .badge_helpers import OB3, SVG, download, issued, svg_texts
from .sealing_helpers import check, checks_of, named, payload_of, with_payload

pytestmark = pytest.mark.django_db


def public_key_of(client, token: str):
    jwk = client.get(urlsplit(jwt.get_unverified_header(token)["kid"]).path).json()
    key = jwt.PyJWK(jwk).key
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_the_baked_png_carries_the_credential_and_verifies(client, proof):
    response = download(client, proof, "png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="badge-{proof.number}.png"'
    png = response.content
    token = Image.open(io.BytesIO(png)).text["openbadgecredential"]  # Pillow reads the iTXt chunk
    assert token == proof.credential.jwt
    assert png[37:41] == b"iTXt"  # right after the header, before the image data
    # openbadgeslib finds it and verifies it with the key its kid names
    extracted = OB3Verifier.extract_token_from_png(png)
    badge = OB3Verifier(public_key_of(client, extracted)).verify(extracted)
    assert badge.id == proof.verification_url
    # and so does the portal's own verifier
    client.logout()
    result = check(client, png, "badge.png").json()
    assert (result["verdict"], result["kind"]) == ("valid", "badge")
    assert result["certificate"]["number"] == proof.number


def test_the_baked_svg_carries_the_credential_directly_after_its_start_tag_and_verifies(client, proof):
    response = download(client, proof, "svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = response.content
    root = ElementTree.fromstring(svg)
    assert root[0].tag == f"{OB3}credential" and len(root.findall(f".//{OB3}credential")) == 1
    assert root[0].get("verify") == proof.credential.jwt
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in svg.split(b">", 2)[1]
    assert svg_texts(svg)["nl"][1] == "Contactcenteroperator"
    extracted = OB3Verifier.extract_token_from_svg(svg)
    assert OB3Verifier(public_key_of(client, extracted)).verify(extracted).id == proof.verification_url
    client.logout()
    assert checks_of(check(client, svg, "badge.svg")) == {
        "signature": True,
        "schema": True,
        "register": True,
        "status": True,
    }


def test_the_badge_is_drawn_in_the_languages_of_the_credential(client, assessment):
    proof = issued(flows.certify(assessment), languages=("fr", "en"))
    texts = svg_texts(download(client, proof, "svg").content)
    assert texts["fr"][0] == "Preuve de qualification professionnelle" and texts["en"][1] == "Contact Center operator"


def test_a_statement_gets_the_badge_of_its_own_kind(client, assessment):
    proof = issued(flows.decide(assessment, not_proven={1}))
    assert proof.kind == Certificate.Kind.STATEMENT
    svg = download(client, proof, "svg").content
    assert svg_texts(svg)["nl"][0] == "Bewijs van competenties"
    assert ElementTree.fromstring(svg)[3].tag == f"{SVG}rect"
    client.logout()
    assert check(client, svg, "badge.svg").json()["certificate"]["kind"] == "statement"


def test_the_badge_download_is_recorded_in_the_audit_trail(client, proof):
    download(client, proof, "png")
    download(client, proof, "svg")
    summaries = set(AuditEntry.objects.filter(action="file_downloaded").values_list("summary", flat=True))
    assert {f"badge-{proof.number}.png", f"badge-{proof.number}.svg"} <= summaries


def test_only_the_holder_and_administrators_download_the_baked_badge(
    client, proof, administrator, other_candidate, assessor
):
    for extension in ("png", "svg"):
        assert download(client, proof, extension).status_code == 200
        assert download(client, proof, extension, administrator).status_code == 200
        assert download(client, proof, extension, other_candidate).status_code == 404
        assert download(client, proof, extension, assessor).status_code == 404
    client.logout()
    response = client.get(f"/certificates/{proof.pk}/badge.png")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    services.certificate_revoke(certificate=proof, actor=administrator, reason="Fraud")
    assert download(client, proof, "png").status_code == 404
    assert download(client, proof, "png", administrator).status_code == 200


# --- The verifier reads badges --------------------------------------------------------------


def rebaked_png(png: bytes, text: bytes, compressed: bool = False) -> bytes:
    """The PNG with its credential chunk replaced by one carrying ``text``."""
    (length,) = struct.unpack(">I", png[33:37])  # the chunk after the header's, 33 bytes in
    without = png[:33] + png[33 + 12 + length :]
    data = b"openbadgecredential\0" + (b"\1\0" if compressed else b"\0\0") + b"\0\0" + text
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    return without[:33] + chunk + without[33:]


def test_a_badge_whose_credential_was_edited_is_invalid(client, proof):
    png = download(client, proof, "png").content
    token = proof.credential.jwt
    payload = payload_of(token)
    payload["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    client.logout()
    result = check(client, rebaked_png(png, with_payload(token, payload).encode()), "badge.png").json()
    assert result["verdict"] == "invalid" and checks_of_json(result)["signature"] is False


def checks_of_json(result: dict) -> dict[str, bool]:
    return {item["check"]: item["ok"] for item in result["checks"]}


def test_a_badge_of_a_revoked_proof_reads_revoked(client, proof, administrator):
    png = download(client, proof, "png").content
    services.certificate_revoke(certificate=proof, actor=administrator, reason="Fraud")
    client.logout()
    assert check(client, png, "badge.png").json()["verdict"] == "revoked"


def test_the_verifier_reads_a_compressed_chunk_and_a_credential_with_an_embedded_proof(client, proof):
    png = download(client, proof, "png").content
    document = proof.credential.data_integrity.encode()
    client.logout()
    assert check(client, rebaked_png(png, zlib.compress(document), compressed=True), "b.png").json()["verdict"] == (
        "valid"
    )
    svg = badges.to_svg(badges.badge_for(proof.assessment.qualification, proof.kind, ("nl", "fr")))
    start = svg.index(b">", svg.index(b"<svg ")) + 1
    baked = (
        svg[: start - 1]
        + b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        + b"<openbadges:credential><![CDATA["
        + document
        + b"]]></openbadges:credential>"
        + svg[start:]
    )
    result = check(client, baked, "badge.svg").json()
    assert (result["verdict"], result["kind"]) == ("valid", "badge")


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(lambda qualification: badges.to_png(badge_of(qualification)), id="a PNG without a credential"),
        pytest.param(lambda qualification: badges.to_svg(badge_of(qualification)), id="an SVG without a credential"),
        pytest.param(lambda _q: b"<svg><unclosed", id="not XML"),
        pytest.param(lambda qualification: badges.to_png(badge_of(qualification))[:200], id="a cut PNG"),
    ],
)
def test_an_image_without_a_readable_credential_is_said_to_be_one(client, qualification, settings, image):
    settings.VERIFY_MAX_UPLOAD_SIZE = 1024 * 1024
    response = check(client, image(qualification), "image.bin")
    assert response.status_code == 200
    result = response.json()
    assert (result["verdict"], result["kind"]) == ("invalid", "unreadable")
    assert result["checks"][0]["message"] == "This image carries no credential this portal can read."


def test_a_credential_behind_a_document_type_declaration_is_not_read(client, proof):
    """Entities could make a small file expand to a huge one: a badge never declares any."""
    svg = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY token "{proof.credential.jwt}">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        '<openbadges:credential verify="&token;"></openbadges:credential></svg>'
    ).encode()
    result = check(client, svg, "badge.svg").json()
    assert (result["verdict"], result["kind"]) == ("invalid", "unreadable")


def test_a_compressed_credential_is_never_inflated_past_the_upload_limit(client, proof, settings):
    png = download(client, proof, "png").content
    client.logout()
    padded = proof.credential.data_integrity.encode() + b" " * (2 * 1024 * 1024)
    baked = rebaked_png(png, zlib.compress(padded), compressed=True)
    assert len(baked) < 1024 * 1024 < len(padded)  # a small upload that inflates past the limit
    settings.VERIFY_MAX_UPLOAD_SIZE = 4 * 1024 * 1024
    assert check(client, baked, "badge.png").json()["verdict"] == "valid"
    settings.VERIFY_MAX_UPLOAD_SIZE = 1024 * 1024
    result = check(client, baked, "badge.png").json()
    assert (result["verdict"], result["kind"]) == ("invalid", "unreadable")


def badge_of(qualification):
    return badges.badge_for(qualification, Certificate.Kind.CERTIFICATE, ("nl", "fr"))


def test_the_file_check_page_accepts_a_badge_and_says_the_picture_proves_nothing(client, proof):
    png = download(client, proof, "png").content
    client.logout()
    page = client.get("/verify/").content.decode()
    assert ".png" in page and "image/svg+xml" in page
    response = client.post("/verify/", {"file": named(png, "badge.png")})
    html = response.content.decode()
    assert 'data-verdict="valid"' in html
    assert "the picture itself proves nothing" in html
