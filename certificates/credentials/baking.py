"""Baked badges: the credential inside its badge image, as Open Badges 3.0 "Baked Badge" says.

PNG: one ``iTXt`` chunk, keyword ``openbadgecredential``, uncompressed, whose text is the
credential. SVG: an ``xmlns:openbadges`` declaration of ``https://purl.imsglobal.org/ob/v3p0`` on
the ``<svg>`` element and, directly after its start tag, an ``<openbadges:credential>`` element:
a VC-JWT in its ``verify`` attribute, a credential with an embedded proof as its (CDATA) content.
The portal bakes the VC-JWT (decision 0022); the verifier reads both forms.

Reading an uploaded image is bounded: the PNG's chunks are walked without decoding a pixel,
the SVG is read by expat as a stream (no tree, no DTD, no entities), and both stop at the first
credential, as the specification says.
"""

import struct
import zlib
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from ..badges import badge_for, badge_image

OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_ELEMENT = f"{OB3_NAMESPACE} credential"  # as expat names it with namespaces resolved


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bake_png(png: bytes, credential: str) -> bytes:
    """The PNG with the credential in an ``iTXt`` chunk right after its header, so that a reader
    finds it before the image data."""
    header_end = len(PNG_SIGNATURE) + 8 + 13 + 4  # IHDR: length, type, 13 bytes of data, CRC
    text = PNG_KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + credential.encode()  # no compression, no language
    return png[:header_end] + _chunk(b"iTXt", text) + png[header_end:]


def bake_svg(svg: bytes, credential: str) -> bytes:
    """The SVG (one the portal drew: its start tag holds no ``>``) with the credential element
    directly after its start tag."""
    start = svg.index(b"<svg ")
    end = svg.index(b">", start) + 1
    declaration = f' xmlns:openbadges="{OB3_NAMESPACE}"'.encode()
    element = f"\n<openbadges:credential verify={quoteattr(credential)}></openbadges:credential>".encode()
    return svg[: end - 1] + declaration + svg[end - 1 : end] + element + svg[end:]


BAKERS = {"png": bake_png, "svg": bake_svg}


def baked_badge(credential, extension: str) -> bytes:
    """The badge of the credential's achievement, in the credential's languages, with its VC-JWT baked in."""
    certificate = credential.certificate
    badge = badge_for(certificate.assessment.qualification, certificate.kind, credential.languages)
    return BAKERS[extension](badge_image(badge, extension), credential.jwt)


# --- Reading a badge someone uploaded -----------------------------------------------------------


def is_image(data: bytes) -> bool:
    """Whether the upload is a PNG or an XML document (an SVG): a badge, not a PDF or a credential file."""
    return data.startswith(PNG_SIGNATURE) or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


class NotABadge(ValueError):
    """The image cannot be read, or carries no credential."""


def baked_credential(data: bytes, *, limit: int) -> str:
    """The credential baked into a PNG or SVG badge, as text of at most ``limit`` bytes."""
    return _png_credential(data, limit) if data.startswith(PNG_SIGNATURE) else _svg_credential(data, limit)


def _png_credential(data: bytes, limit: int) -> str:
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, start = data[position + 4 : position + 8], position + 8
        if start + length + 4 > len(data):
            break
        content = data[start : start + length]
        if kind == b"IEND":
            break
        if kind == b"iTXt" and content.startswith(PNG_KEYWORD + b"\0"):
            return _itxt_text(content[len(PNG_KEYWORD) + 1 :], limit)
        position = start + length + 4
    raise NotABadge("no credential")


def _itxt_text(rest: bytes, limit: int) -> str:
    """The text of an ``iTXt`` chunk after its keyword: compression flag and method, language tag,
    translated keyword, text. The specification forbids compression; a compressed text is read
    all the same, never past ``limit``."""
    if len(rest) < 2:
        raise NotABadge("damaged chunk")
    compressed, parts = rest[0], rest[2:].split(b"\0", 2)
    if len(parts) != 3:
        raise NotABadge("damaged chunk")
    text = parts[2]
    if compressed:
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, limit)
        except zlib.error:
            raise NotABadge("damaged chunk")
        if inflater.unconsumed_tail:
            raise NotABadge("too large")
    try:
        return text.decode()
    except UnicodeDecodeError:
        raise NotABadge("not text")


class _Found(Exception):
    pass


def _svg_credential(data: bytes, limit: int) -> str:
    parser = expat.ParserCreate(namespace_separator=" ")
    found: dict = {}
    text: list[str] = []

    def start(name, attributes):
        if found:
            raise _Found  # an element inside the credential element: not ours to read further
        if name == SVG_ELEMENT:
            found["verify"] = attributes.get("verify")
            if found["verify"] is not None:
                raise _Found

    def end(name):
        if found:
            raise _Found

    def characters(content):
        if found:
            text.append(content)
            if sum(map(len, text)) > limit:
                raise NotABadge("too large")

    def refuse(*_arguments):
        raise NotABadge("document type declarations are not read")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except _Found:
        pass
    except expat.ExpatError:
        raise NotABadge("not XML")
    if not found:
        raise NotABadge("no credential")
    credential = found["verify"] if found["verify"] is not None else "".join(text).strip()
    if not credential:
        raise NotABadge("no credential")
    return credential
