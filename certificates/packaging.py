"""What happens to a rendered supplement before it is stored: credential embedded, then sealed."""

from .credentials.embedding import credential_files, embed_credential
from .credentials.issuing import credential_issue
from .models import SupplementVersion
from .sealing import seal_pdf


def supplement_finish(version: SupplementVersion, pdf: bytes) -> bytes:
    """Embed the certificate's signed credential (in the version's language pair, with its Data
    Integrity proof and as a VC-JWT), then seal."""
    credential = credential_issue(
        certificate=version.certificate, languages=(version.first_language, version.second_language)
    )
    if credential is not None:
        pdf = embed_credential(pdf, credential_files(credential.data_integrity.encode(), credential.jwt.encode()))
    return seal_pdf(pdf)
