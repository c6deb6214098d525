"""Indexes for searching people by the start of their names (PostgreSQL).

``istartswith`` is ``UPPER(name::text) LIKE UPPER('an%')`` on PostgreSQL: a B-tree on that
expression with ``text_pattern_ops`` answers it without reading the whole table. (The e-mail
address, stored in lower case, already has such an index through its unique constraint.)
SQLite has no operator classes; it reads the table, which is fine at its sizes.
"""

from django.db import migrations

INDEXES = {
    "account_first_name_prefix_idx": "first_name",
    "account_last_name_prefix_idx": "last_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "accounts_user" (UPPER("{column}"::text) text_pattern_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_account_name_index")]
    operations = [migrations.RunPython(create, drop)]
