"""The holder's hashed e-mail identity as issued, recorded beside each credential. For the
credentials signed before, it is read from the signed credential itself, so a holder whose address
was corrected since keeps a valid file. A credential not signed yet gets it at its first signing."""

import base64
import binascii
import json

from django.db import migrations, models


def _issued_identity(token: str) -> str:
    """The e-mail identity hash in a stored VC-JWT's subject (the portal's own token: not verified)."""
    try:
        segment = token.split(".")[1]
        payload = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        identifiers = payload["credentialSubject"]["identifier"]
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        return ""
    for identifier in identifiers:
        if isinstance(identifier, dict) and identifier.get("identityType") == "emailAddress":
            return str(identifier.get("identityHash", ""))[:80]
    return ""


def record_issued_identity(apps, schema_editor):
    Credential = apps.get_model("certificates", "CertificateCredential")
    for credential in Credential.objects.filter(identity_hash="").exclude(jwt="").iterator():
        credential.identity_hash = _issued_identity(credential.jwt)
        if credential.identity_hash:
            credential.save(update_fields=["identity_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0005_statement"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificatecredential",
            name="identity_hash",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.RunPython(record_issued_identity, migrations.RunPython.noop),
    ]
