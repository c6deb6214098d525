"""Addresses in the one spelling that now also folds compatibility characters (NFKC) and spells the
domain as mail addresses it (IDNA): only an address with a character outside ASCII can change."""

import contextlib
import unicodedata

from django.db import migrations


def fold_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for account in User.objects.exclude(email__regex=r"^[ -~]*$").only("email", "username").iterator():
        folded = unicodedata.normalize("NFKC", account.email).strip().lower()
        local, at, domain = folded.rpartition("@")
        if at:
            with contextlib.suppress(UnicodeError):
                folded = f"{local}@{domain.encode('idna').decode('idna')}"
        if folded != account.email:
            account.email = account.username = folded
            account.save(update_fields=["email", "username"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_email_unique_without_case")]

    operations = [migrations.RunPython(fold_addresses, migrations.RunPython.noop, elidable=True)]
