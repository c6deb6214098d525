"""Count the reports' figures again from the data, while the portal runs (decision 0024): after
data were written beside the services (a bulk load, a restore), or to check the counters."""

from django.core.management.base import BaseCommand

from reports.services import reports_rebuild


class Command(BaseCommand):
    help = "Count the figures of the reports page again from the assessments."

    def handle(self, *args, **options):
        reports_rebuild()
        if options["verbosity"]:
            self.stdout.write("The reports' counters were rebuilt.")
