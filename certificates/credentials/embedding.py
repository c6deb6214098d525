"""The signed credential as an associated file of the supplement (PDF/A-3, relationship Data).

Added as an incremental update before the seal, so the seal covers it. The catalogue's /AF
array links it to the document as PDF/A-3 asks, without raising the PDF version (pyHanko's own
associated-file helper would declare PDF 2.0, which PDF/A-3 does not allow).
"""

import zlib
from datetime import UTC, datetime
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file
from pyhanko.pdf_utils.reader import PdfFileReader

from ..pdf_metadata import MetadataKeepingWriter

FILE_NAME = "credential.json"
MIME_TYPE = "application/json"
# An embedded credential is a few kilobytes; refuse to unpack more (a compression bomb).
MAX_CREDENTIAL_SIZE = 256 * 1024


def embed_credential(pdf: bytes, credential_json: bytes) -> bytes:
    writer = MetadataKeepingWriter(BytesIO(pdf))
    now = datetime.now(UTC)
    data = EmbeddedFileObject.from_file_data(
        writer,
        credential_json,
        mime_type=MIME_TYPE,
        params=EmbeddedFileParams(creation_date=now, modification_date=now),
    )
    spec = FileSpec(
        file_spec_string=FILE_NAME,
        file_name=FILE_NAME,
        embedded_data=data,
        description="Open Badges 3.0 credential (W3C Verifiable Credential, VC-JWT)",
    )
    embed_file(writer, spec)
    spec_ref = writer.root["/Names"]["/EmbeddedFiles"]["/Names"].raw_get(-1)
    spec_ref.get_object()["/AFRelationship"] = generic.NameObject("/Data")
    writer.mark_update(spec_ref)
    associated = writer.root.get("/AF")
    if associated is None:
        writer.root["/AF"] = generic.ArrayObject([spec_ref])
    else:
        associated.append(spec_ref)
        if isinstance(writer.root.raw_get("/AF"), generic.IndirectObject):
            writer.mark_update(writer.root.raw_get("/AF"))
    writer.update_root()
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


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
