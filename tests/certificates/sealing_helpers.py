"""Seals, keys and files for the tests of the seal, the credential and the verifier."""

import base64
import io
import json
from pathlib import Path

from certificates import dev_keys


def make_seal(directory: Path, *, name: str, test_seal: bool = True, passphrase: str = "pass") -> Path:
    path = directory / f"{name.replace(' ', '-')}.p12"
    path.write_bytes(dev_keys.seal_pkcs12(common_name=name, passphrase=passphrase, test_seal=test_seal))
    return path


def make_credential_key(directory: Path, name: str = "key") -> Path:
    path = directory / f"{name}.pem"
    path.write_bytes(dev_keys.credential_key_pem())
    return path


def check(client, data: bytes, name: str = "file.pdf", **headers):
    return client.post("/verify/check.json", {"file": io.BytesIO(data) if not name else named(data, name)}, **headers)


def named(data: bytes, name: str):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def checks_of(response) -> dict[str, bool]:
    return {item["check"]: item["ok"] for item in response.json()["checks"]}


def token_of(envelope: dict) -> str:
    return envelope["id"].removeprefix("data:application/vc+jwt,")


def payload_of(token: str) -> dict:
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def with_payload(token: str, payload: dict) -> str:
    """The same header and signature over an edited payload: what a forger would try."""
    header, _payload, signature = token.split(".")
    segment = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{header}.{segment}.{signature}"


def envelope(token: str) -> bytes:
    return json.dumps(
        {
            "@context": "https://www.w3.org/ns/credentials/v2",
            "id": f"data:application/vc+jwt,{token}",
            "type": "EnvelopedVerifiableCredential",
        }
    ).encode()
