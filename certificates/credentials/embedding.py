"""The signed credential as associated files of the supplement (PDF/A-3, relationship Data).

Two files (decision 0020): ``credential.json``, the credential with its Data Integrity proof (what
a wallet imports, and what the verifier reads), and ``credential.jwt``, the same credential as an
Open Badges 3.0 VC-JWT. Added in the seal's incremental update (``sealing.seal_pdf``), so the seal
covers them.
The catalogue's /AF array links them to the document as PDF/A-3 asks, without raising the PDF
version (pyHanko's own associated-file helper would declare PDF 2.0, which PDF/A-3 does not allow).
"""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

FILE_NAME = "credential.json"
# An embedded credential is a few kilobytes; refuse to unpack more (a compression bomb).
MAX_CREDENTIAL_SIZE = 256 * 1024


@dataclass(frozen=True)
class AttachedFile:
    name: str
    data: bytes
    mime_type: str
    description: str


def credential_files(data_integrity_json: bytes, jwt: bytes) -> list[AttachedFile]:
    return [
        AttachedFile(
            FILE_NAME,
            data_integrity_json,
            "application/json",
            "Open Badges 3.0 credential (W3C Verifiable Credential, Data Integrity proof eddsa-rdfc-2022)",
        ),
        AttachedFile(
            "credential.jwt", jwt, "application/jwt", "The same Open Badges 3.0 credential as a VC-JWT (RS256)"
        ),
    ]


def attach_files(writer: IncrementalPdfFileWriter, files: Sequence[AttachedFile]) -> None:
    """Add the files to the writer's update as associated files of the document."""
    now = datetime.now(UTC)
    for attached in files:
        data = EmbeddedFileObject.from_file_data(
            writer,
            attached.data,
            mime_type=attached.mime_type,
            params=EmbeddedFileParams(creation_date=now, modification_date=now),
        )
        spec = FileSpec(
            file_spec_string=attached.name,
            file_name=attached.name,
            embedded_data=data,
            description=attached.description,
        )
        embed_file(writer, spec)
        names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
        position = [str(names[index]) for index in range(0, len(names), 2)].index(attached.name)
        _associate(writer, names.raw_get(2 * position + 1))
    writer.update_root()


def _associate(writer: IncrementalPdfFileWriter, spec_ref) -> None:
    """List the file in the catalogue's /AF with relationship Data, as PDF/A-3 asks."""
    spec_ref.get_object()["/AFRelationship"] = generic.NameObject("/Data")
    writer.mark_update(spec_ref)
    associated = writer.root.get("/AF")
    if associated is None:
        writer.root["/AF"] = generic.ArrayObject([spec_ref])
    else:
        associated.append(spec_ref)
        if isinstance(writer.root.raw_get("/AF"), generic.IndirectObject):
            writer.mark_update(writer.root.raw_get("/AF"))


class EmbeddedCredentialError(ValueError):
    pass


def _decoded(stream: generic.StreamObject) -> bytes:
    """The stream's content, unpacked with a size limit (only FlateDecode or no filter)."""
    encoded = stream.encoded_data
    filters = stream.get("/Filter")
    filters = [] if filters is None else (list(filters) if isinstance(filters, generic.ArrayObject) else [filters])
    if not filters:
        data = encoded
    elif filters == ["/FlateDecode"] and "/DecodeParms" not in stream:
        inflater = zlib.decompressobj()
        data = inflater.decompress(encoded, MAX_CREDENTIAL_SIZE + 1)
    else:
        raise EmbeddedCredentialError("unsupported filter")
    if len(data) > MAX_CREDENTIAL_SIZE:
        raise EmbeddedCredentialError("too large")
    return data


def embedded_credential(reader: PdfFileReader) -> bytes | None:
    """The content of the associated file named credential.json with relationship Data, if any."""
    for spec in reader.root.get("/AF", generic.ArrayObject()):
        spec = spec.get_object()
        if spec.get("/AFRelationship") != "/Data" or str(spec.get("/UF", spec.get("/F", ""))) != FILE_NAME:
            continue
        return _decoded(spec["/EF"]["/F"].get_object())
    return None
