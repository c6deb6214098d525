"""Indexes that answer the audit trail's reads (decision 0026).

- One person's entries are read as two queries: what they did, on (actor, created_at, id), and
  what was recorded about their account, on (subject_type, subject_id, created_at, id), which
  replaces (subject_type, subject_id, -created_at): read backwards it serves a subject's entries
  newest first too, and its id breaks ties in the order of a page.
- The foreign keys' own indexes go: the indexes above start with their columns, and every entry
  written kept two indexes more up to date.
- The search, ``icontains``, is ``UPPER(column::text) LIKE UPPER('%text%')`` on PostgreSQL: a
  trigram index (pg_trgm, GIN) on exactly that expression answers it. SQLite has no trigram
  index; it reads the table, which is fine at its sizes.

On PostgreSQL the indexes are built and dropped CONCURRENTLY: the release's migrate runs while the
portal writes entries, and a plain CREATE INDEX would hold every audited change until it is built
(about half a minute at two million entries), a plain DROP INDEX every read of the trail behind a
long export. So the migration is not atomic; an index that failed to build is left invalid, and
running the migration again drops and rebuilds it (and only it). The extension comes first: it is
what a database's permissions may refuse, before any index is built.
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "audit_auditentry"
# Names as Django gave them (0001, 0003) and as this migration gives them.
SUBJECT_NEWEST = ("audit_audit_subject_2a1e5f_idx", '"subject_type_id", "subject_id", "created_at" DESC')
SUBJECT_TIME = ("audit_subject_time_idx", '"subject_type_id", "subject_id", "created_at", "id"')
ACTOR = ("audit_auditentry_actor_id_8ab278be", '"actor_id"')
SUBJECT_TYPE = ("audit_auditentry_subject_type_id_8f524ac3", '"subject_type_id"')
LABEL_TRIGRAM = ("audit_label_trigram_idx", 'UPPER("subject_label"::text) gin_trgm_ops')
SUMMARY_TRIGRAM = ("audit_summary_trigram_idx", 'UPPER("summary"::text) gin_trgm_ops')


def _indexes(schema_editor, *, create: tuple = (), drop: tuple = (), gin: bool = False) -> None:
    """Create ``create``, then drop ``drop``: a read is never left without its index."""
    postgres = schema_editor.connection.vendor == "postgresql"
    if gin and not postgres:
        return
    concurrently = " CONCURRENTLY" if postgres else ""
    method = " USING gin" if gin else ""
    for name, columns in create:
        if postgres and _invalid(schema_editor, name):  # left by a build that failed
            schema_editor.execute(f'DROP INDEX CONCURRENTLY "{name}"')
        schema_editor.execute(f'CREATE INDEX{concurrently} IF NOT EXISTS "{name}" ON "{TABLE}"{method} ({columns})')
    for name, _columns in drop:
        schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{name}"')


def _invalid(schema_editor, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
        row = cursor.fetchone()
    return bool(row and row[0])


def btree_forwards(apps, schema_editor):
    _indexes(schema_editor, create=[SUBJECT_TIME], drop=[SUBJECT_NEWEST, ACTOR, SUBJECT_TYPE])


def btree_backwards(apps, schema_editor):
    _indexes(schema_editor, create=[SUBJECT_NEWEST, ACTOR, SUBJECT_TYPE], drop=[SUBJECT_TIME])


def trigram_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A trusted extension (PostgreSQL 13 and newer): the database's owner may create it. Kept
        # when the migration is reversed, as anything else may use it by then.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    _indexes(schema_editor, create=[LABEL_TRIGRAM, SUMMARY_TRIGRAM], gin=True)


def trigram_backwards(apps, schema_editor):
    _indexes(schema_editor, drop=[LABEL_TRIGRAM, SUMMARY_TRIGRAM], gin=True)


def _foreign_key_without_index(to: str, **options) -> models.ForeignKey:
    return models.ForeignKey(
        to, blank=True, db_index=False, null=True, on_delete=models.PROTECT, related_name="+", **options
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0007_partial_issued_action"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(trigram_forwards, trigram_backwards),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="auditentry", name=SUBJECT_NEWEST[0]),
                migrations.AddIndex(
                    model_name="auditentry",
                    index=models.Index(fields=["subject_type", "subject_id", "created_at", "id"], name=SUBJECT_TIME[0]),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="actor",
                    field=_foreign_key_without_index(settings.AUTH_USER_MODEL, verbose_name="who"),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="subject_type",
                    field=_foreign_key_without_index("contenttypes.contenttype"),
                ),
            ],
            database_operations=[migrations.RunPython(btree_forwards, btree_backwards)],
        ),
    ]
