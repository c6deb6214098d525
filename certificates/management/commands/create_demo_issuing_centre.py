"""The demo issuing centre for ``make run``, so the demo assessment can be certified.

Refuses to run unless PORTAL_DEMO is set, which production never sets: there an administrator
enters the real test centre in the admin, and issuing is refused until they do.
"""

from django.core.management.base import BaseCommand

from certificates import services
from certificates.models import IssuingCentre
from portal.demo import refuse_outside_demo


class Command(BaseCommand):
    help = "Create the demo issuing centre (only with PORTAL_DEMO=1)."

    def handle(self, *args, **options):
        refuse_outside_demo()
        if IssuingCentre.objects.current() is None:
            services.issuing_centre_enter(
                actor=None,
                name="Demo testcentrum (not a recognised centre)",
                address="Demostraat 1\n1000 Brussel",
                recognition_number="DEMO-0000",
            )
