"""Recompute the reports' summary from the data: after data were loaded beside the services (a
bulk load, a restore), or to check it (decision 0008)."""

from django.core.management.base import BaseCommand

from assessments.report_summary import summary_rebuild


class Command(BaseCommand):
    help = "Recompute the counters of the reports page from the assessments."

    def handle(self, *args, **options):
        summary_rebuild()
        if options["verbosity"]:
            self.stdout.write("The reports' summary was rebuilt.")
