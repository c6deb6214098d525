# The reports' counters moved to the reports app (decision 0024), which counts them again from
# the data: these tables go without their rows.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0012_files_in_private_storage'),
    ]

    operations = [
        migrations.DeleteModel(name='AssessorTally'),
        migrations.DeleteModel(name='CompetencyTally'),
        migrations.DeleteModel(name='DurationTally'),
        migrations.DeleteModel(name='MonthTally'),
        migrations.DeleteModel(name='PairTally'),
        migrations.DeleteModel(name='StatusTally'),
    ]
