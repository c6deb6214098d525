"""Checks of a JSON-LD document that the portal's own code does not make: every id a URI by the
grammar of RFC 3986, and every term defined by the document's contexts (PyLD expands an undefined
term to nothing, silently, and the VC 2.0 context's ``@vocab`` turns it into an "issuer-dependent"
IRI: either way no context says what it means)."""

import copy
import re

from pyld import jsonld

from certificates.credentials import documents

# RFC 3986, appendix A, written out as a regular expression (IPv6 literals only roughly: none here).
_UNRESERVED = r"[A-Za-z0-9\-._~]"
_PCT_ENCODED = r"%[0-9A-Fa-f]{2}"
_SUB_DELIMS = r"[!$&'()*+,;=]"
_PCHAR = rf"(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS}|[:@])"
_SEGMENT = rf"{_PCHAR}*"
_SEGMENT_NZ = rf"{_PCHAR}+"
_AUTHORITY = (
    rf"(?:(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS}|:)*@)?"
    rf"(?:\[[0-9A-Fa-f:.]+\]|(?:{_UNRESERVED}|{_PCT_ENCODED}|{_SUB_DELIMS})*)"
    r"(?::[0-9]*)?"
)
_HIER_PART = (
    rf"(?://{_AUTHORITY}(?:/{_SEGMENT})*"
    rf"|/(?:{_SEGMENT_NZ}(?:/{_SEGMENT})*)?"
    rf"|{_SEGMENT_NZ}(?:/{_SEGMENT})*"
    r"|)"
)
_QUERY_OR_FRAGMENT = rf"(?:{_PCHAR}|[/?])*"
URI = re.compile(rf"[A-Za-z][A-Za-z0-9+\-.]*:{_HIER_PART}(?:\?{_QUERY_OR_FRAGMENT})?(?:#{_QUERY_OR_FRAGMENT})?")

# Where a term no context defines ends up: our trap, or the VC 2.0 context's catch-all vocabulary.
UNDEFINED = "urn:x-undefined-term:"
ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"


def is_uri(text) -> bool:
    return isinstance(text, str) and URI.fullmatch(text) is not None


def ids(node) -> list:
    """Every value of an ``id`` member, at any depth of a compact document."""
    if isinstance(node, list):
        return [found for item in node for found in ids(item)]
    if not isinstance(node, dict):
        return []
    own = [node["id"]] if "id" in node else []
    return own + [found for name, value in node.items() if name != "@context" for found in ids(value)]


def expanded(document: dict) -> list:
    """The document expanded with the contexts it names (local copies only) and, last, a
    vocabulary that catches any term they leave undefined."""
    contexts = document["@context"] if isinstance(document["@context"], list) else [document["@context"]]
    trapped = {**document, "@context": [*contexts, {"@vocab": UNDEFINED}]}
    return jsonld.expand(trapped, {"documentLoader": _local_copies})


def _local_copies(url: str, _options=None) -> dict:
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(documents.load_document(url))}


def _is_undefined(iri) -> bool:
    return not is_uri(iri) or iri.startswith((UNDEFINED, ISSUER_DEPENDENT))


def problems(document: dict) -> list[str]:
    """Every member or type no context defines, and every node id or reference that is no URI, in
    the expanded document; empty when it expands without losing anything."""
    found = []

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        for name, value in node.items():
            if not name.startswith("@") and _is_undefined(name):
                found.append(f"undefined term {name.removeprefix(UNDEFINED)}")
            if name == "@type":  # a node's types, or a value's datatype
                kinds = value if isinstance(value, list) else [value]
                found.extend(f"undefined type {kind}" for kind in kinds if kind != "@json" and _is_undefined(kind))
            if name == "@id" and not is_uri(value):
                found.append(f"not a URI: {value!r}")
            walk(value)

    walk(expanded(document))
    return found
