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


# --- What may be appended to a sealed PDF, and what may not (decision 0023) ---------------------


def _appended(pdf: bytes, change) -> bytes:
    """The PDF with one incremental update written by pyHanko, made by ``change(writer)``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def with_validation_data(pdf: bytes, pki) -> bytes:
    """A document security store with the provider's certificates and revocation list, as a
    reader adds to keep a signature verifiable (PAdES B-LT)."""
    from pyhanko.sign.validation import DocumentSecurityStore

    stream = io.BytesIO(pdf)
    certificates = [pki.root_certificate, pki.timestamper.tsa_cert]
    DocumentSecurityStore.add_dss(stream, sig_contents=None, certs=certificates, crls=[pki.crl])
    return stream.getvalue()


def with_document_timestamp(pdf: bytes, pki) -> bytes:
    """A document timestamp by the provider's timestamp server (PAdES B-LTA), with its validation data."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=[pki.root_certificate], crls=[pki.crl])
    output = io.BytesIO()
    signers.PdfTimeStamper(pki.timestamper).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), "sha256", context, output=output
    )
    return output.getvalue()


def signed_by(pdf: bytes, signer, field_name: str = "Countersignature") -> bytes:
    """The PDF signed after the seal, in a field of its own (PAdES, as a reader's signing tool does)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES)
    output = io.BytesIO()
    signers.PdfSigner(metadata, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output)
    return output.getvalue()


def _first_page(writer):
    return writer.root["/Pages"].raw_get("/Kids")[0].get_object()


def with_content_stream_rewritten(pdf: bytes) -> bytes:
    """The first page's own content stream replaced, in place, by one that draws other text."""
    from pyhanko.pdf_utils import generic

    def change(writer):
        contents = _first_page(writer).raw_get("/Contents")
        reference = contents[0] if isinstance(contents, generic.ArrayObject) else contents
        forged = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Forged qualification) Tj ET")
        writer.objects[(reference.generation, reference.idnum)] = forged  # the same object, rewritten

    return _appended(pdf, change)


def with_text_drawn_over(pdf: bytes) -> bytes:
    """A second content stream added to the first page, drawing text over what was sealed."""
    from pyhanko.pdf_utils import generic

    def change(writer):
        page = _first_page(writer)
        contents = page.raw_get("/Contents")
        drawn = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (Also passed) Tj ET"))
        existing = list(contents) if isinstance(contents, generic.ArrayObject) else [contents]
        page["/Contents"] = generic.ArrayObject([*existing, drawn])
        writer.update_container(page)

    return _appended(pdf, change)


def with_annotation(pdf: bytes) -> bytes:
    """A free-text annotation on the first page: text a reader shows on top of the sealed page."""
    from pyhanko.pdf_utils import generic

    def change(writer):
        page = _first_page(writer)
        name = generic.NameObject
        annotation = generic.DictionaryObject(
            {
                name("/Type"): name("/Annot"),
                name("/Subtype"): name("/FreeText"),
                name("/Rect"): generic.ArrayObject(generic.NumberObject(n) for n in (72, 72, 300, 100)),
                name("/Contents"): generic.TextStringObject("Result: passed with distinction"),
                name("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g"),
            }
        )
        annotations = page.get("/Annots", generic.ArrayObject())
        annotations.append(writer.add_object(annotation))
        page["/Annots"] = annotations
        writer.update_container(page)

    return _appended(pdf, change)


def with_signature_fields(pdf: bytes, revisions: int, fields_per_revision: int) -> bytes:
    """Revisions that each add many empty signature fields: allowed after a seal one by one, but
    every revision makes pyHanko's analysis compare all fields again."""
    from pyhanko.pdf_utils import generic

    def adding(revision):
        def change(writer):
            form = writer.root["/AcroForm"]
            fields = form["/Fields"]
            for number in range(fields_per_revision):
                field = {"/FT": generic.NameObject("/Sig"), "/T": generic.TextStringObject(f"f{revision}_{number}")}
                fields.append(
                    writer.add_object(generic.DictionaryObject({generic.NameObject(k): v for k, v in field.items()}))
                )
            writer.update_container(form)

        return change

    for revision in range(revisions):
        pdf = _appended(pdf, adding(revision))
    return pdf


def tiny_pdf_with_text_field() -> bytes:
    """The blank page with an empty text field ``Note`` on it."""
    from pyhanko.pdf_utils import generic

    def add_field(writer):
        name = generic.NameObject
        page_reference = writer.root["/Pages"].raw_get("/Kids")[0]
        field = writer.add_object(
            generic.DictionaryObject(
                {
                    name("/FT"): name("/Tx"),
                    name("/T"): generic.TextStringObject("Note"),
                    name("/Type"): name("/Annot"),
                    name("/Subtype"): name("/Widget"),
                    name("/Rect"): generic.ArrayObject(generic.NumberObject(n) for n in (10, 10, 90, 30)),
                    name("/P"): page_reference,
                }
            )
        )
        writer.root["/AcroForm"] = generic.DictionaryObject({name("/Fields"): generic.ArrayObject([field])})
        page = page_reference.get_object()
        page["/Annots"] = generic.ArrayObject([field])
        writer.update_container(page)
        writer.update_root()

    return _appended(tiny_pdf(), add_field)


def with_text_field_filled(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils import generic

    def fill(writer):
        field = next(f.get_object() for f in writer.root["/AcroForm"]["/Fields"] if f.get_object()["/T"] == "Note")
        field["/V"] = generic.TextStringObject("Passed with distinction")
        writer.update_container(field)

    return _appended(pdf, fill)
