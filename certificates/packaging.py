"""What happens to a rendered supplement before it is stored: credential embedded, then sealed."""

import json

from .credentials.embedding import embed_credential
from .credentials.issuing import credential_issue, enveloped
from .models import SupplementVersion
from .sealing import seal_pdf


def supplement_finish(version: SupplementVersion, pdf: bytes) -> bytes:
    """Embed the certificate's signed credential (in the version's language pair), then seal."""
    credential = credential_issue(
        certificate=version.certificate, languages=(version.first_language, version.second_language)
    )
    if credential is not None:
        pdf = embed_credential(pdf, json.dumps(enveloped(credential), indent=2).encode())
    return seal_pdf(pdf)
