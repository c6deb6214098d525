"""Fill the reports' summary from the assessments a database already holds (decision 0008)."""

from django.db import migrations


def fill(apps, schema_editor):
    # A new database has nothing to count; an existing one is counted by today's rebuild, which
    # reads the tables as this migration leaves them.
    if not apps.get_model("assessments", "Assessment").objects.exists():
        return
    from assessments.report_summary import summary_rebuild

    summary_rebuild()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0007_report_summary"), ("certificates", "0005_statement")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
