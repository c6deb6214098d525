"""E-mail addresses unique without case. Existing addresses are normalised first; two accounts
whose addresses differ only in case stop the migration, to be merged by an administrator."""

import django.db.models.functions.text
from django.db import migrations, models


def normalise_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for account in User.objects.exclude(email=models.functions.Lower(models.functions.Trim("email"))):
        account.email = account.username = account.email.strip().lower()
        account.save(update_fields=["email", "username"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_name_prefix_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(normalise_addresses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="accounts_user_email_unique_without_case",
                violation_error_code="duplicate",
                violation_error_message="An account with this e-mail address already exists.",
            ),
        ),
    ]
