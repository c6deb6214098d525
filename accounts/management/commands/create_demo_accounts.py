"""Demo accounts for ``make run``: one per role (two assessors, as an assessment needs two).

Refuses to run unless PORTAL_DEMO is set, which production never sets.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from portal.demo import refuse_outside_demo

DEMO_ACCOUNTS = [
    # e-mail, password, role, first name, last name
    ("admin@demo.test", "demo-admin-pass", User.Role.ADMINISTRATOR, "Ada", "Admin"),
    ("candidate@demo.test", "demo-candidate-pass", User.Role.CANDIDATE, "Chris", "Candidate"),
    ("assessor1@demo.test", "demo-assessor-pass", User.Role.ASSESSOR, "Alex", "Assessor"),
    ("assessor2@demo.test", "demo-assessor-pass", User.Role.ASSESSOR, "Sam", "Second"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (only with PORTAL_DEMO=1)."

    def handle(self, *args, **options):
        refuse_outside_demo()
        with transaction.atomic():
            for email, password, role, first_name, last_name in DEMO_ACCOUNTS:
                user, created = User.objects.get_or_create(
                    email=email,
                    defaults={
                        "role": role,
                        "first_name": first_name,
                        "last_name": last_name,
                        "is_staff": role == User.Role.ADMINISTRATOR,
                        "is_superuser": role == User.Role.ADMINISTRATOR,
                    },
                )
                if created:
                    user.set_password(password)
                    user.save()
        self.stdout.write("Demo logins (e-mail / password):")
        for email, password, role, *_names in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<14} {email:<22} {password}")
