"""Seals, keys and files for the tests of the seal, the credential and the verifier."""

import base64
import io
import json
import re
from pathlib import Path

from certificates import dev_keys


def make_seal(
    directory: Path, *, name: str, test_seal: bool = True, passphrase: str = "pass", organisation: str = ""
) -> Path:
    path = directory / f"{name.replace(' ', '-')}-{organisation.replace(' ', '-')}.p12"
    seal = dev_keys.seal_pkcs12(common_name=name, passphrase=passphrase, test_seal=test_seal, organisation=organisation)
    path.write_bytes(seal)
    return path


def make_credential_key(directory: Path, name: str = "key", *, rsa: bool = False) -> Path:
    path = directory / f"{name}.pem"
    path.write_bytes(dev_keys.credential_rsa_key_pem() if rsa else dev_keys.credential_key_pem())
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


def tiny_pdf() -> bytes:
    """A one-page blank PDF, small enough to seal in a moment."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    size = generic.ArrayObject(generic.NumberObject(value) for value in (0, 0, 100, 100))
    writer.insert_page(
        generic.DictionaryObject(
            {generic.NameObject("/Type"): generic.NameObject("/Page"), generic.NameObject("/MediaBox"): size}
        )
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def with_updates(pdf: bytes, revisions: int, objects: int = 1) -> bytes:
    """The PDF with ``revisions`` tiny incremental updates appended, each adding ``objects`` small
    objects under a cross-reference table and trailer of its own: cheap to write, and each one more
    revision for a reader of the signature to compare."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    root, number = reader.trailer.raw_get("/Root"), int(reader.trailer["/Size"])
    previous = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    parts, position = [pdf], len(pdf)
    for revision in range(revisions):
        bodies, offsets = [], []
        for _object in range(objects):
            offsets.append(position + sum(len(body) for body in bodies))
            bodies.append(b"%d 0 obj\n<</Revision %d>>\nendobj\n" % (number + len(bodies), revision))
        body = b"".join(bodies)
        table = b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        xref_at = position + len(body)
        tail = b"xref\n%d %d\n%strailer\n<</Size %d /Root %d %d R /Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (
            number,
            objects,
            table,
            number + objects,
            root.idnum,
            root.generation,
            previous,
            xref_at,
        )
        parts += [body, tail]
        position, previous, number = xref_at + len(tail), xref_at, number + objects
    return b"".join(parts)


def try_to_connect() -> str:
    """Run in the verifier's child process: what opening a connection gives there."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
    except OSError as error:
        return str(error)
    return "connected"
