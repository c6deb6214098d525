"""One scheduled assessment of the demo candidate with both demo assessors, for ``make run``.

Runs after ``create_demo_accounts``; like it, only with PORTAL_DEMO=1.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment
from portal.demo import refuse_outside_demo
from qualifications.models import Qualification


class Command(BaseCommand):
    help = "Schedule one assessment of the demo candidate (only with PORTAL_DEMO=1)."

    def handle(self, *args, **options):
        refuse_outside_demo()
        candidate = User.objects.get(email="candidate@demo.test")
        first, second = User.objects.filter(email__in=["assessor1@demo.test", "assessor2@demo.test"]).order_by("email")
        qualification = Qualification.objects.filter(code="0213").first()
        if qualification and not Assessment.objects.filter(candidate=candidate).exists():
            Assessment.objects.create(
                candidate=candidate,
                qualification=qualification,
                first_assessor=first,
                second_assessor=second,
                scheduled_at=timezone.now() + timedelta(hours=1),
                location="Demo test centre",
            )
