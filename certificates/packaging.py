"""What happens to a rendered supplement before it is stored: credential embedded and sealed."""

from .credentials.embedding import credential_files
from .credentials.issuing import credential_issue
from .models import SupplementVersion
from .sealing import seal_pdf


def supplement_finish(version: SupplementVersion, pdf: bytes) -> bytes:
    """Embed the certificate's signed credential (in the version's language pair, with its Data
    Integrity proof and as a VC-JWT) and seal, in one incremental update."""
    credential = credential_issue(
        certificate=version.certificate, languages=(version.first_language, version.second_language)
    )
    files = [] if credential is None else credential_files(credential.data_integrity.encode(), credential.jwt.encode())
    return seal_pdf(pdf, files=files)
