"""An index on a delivery's time, for the purge of old deliveries: it reads the rows older than
WEBHOOKS_DELIVERIES_KEPT_DAYS a few thousand at a time, and without it each batch (and each hourly
run that finds nothing) would read the whole table.

On PostgreSQL the index is built CONCURRENTLY: deliveries are written in the transaction of each
step they tell of, and a plain CREATE INDEX on a large table would hold those steps until it is
built. So the migration is not atomic; an index whose build failed is left invalid, and running
the migration again drops and rebuilds it.
"""

from django.db import migrations, models

NAME = "webhooks_delivery_created_idx"


def forwards(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres and _invalid(schema_editor):
        schema_editor.execute(f'DROP INDEX CONCURRENTLY "{NAME}"')
    concurrently = " CONCURRENTLY" if postgres else ""
    schema_editor.execute(f'CREATE INDEX{concurrently} IF NOT EXISTS "{NAME}" ON "webhooks_delivery" ("created_at")')


def backwards(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{NAME}"')


def _invalid(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [NAME])
        row = cursor.fetchone()
    return bool(row and row[0])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(fields=["created_at"], name=NAME),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
