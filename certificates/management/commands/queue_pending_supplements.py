from django.core.management.base import BaseCommand

from certificates.tasks import queue_pending_supplements


class Command(BaseCommand):
    help = "Send again the supplement renderings that a down broker or a dead worker left behind."

    def handle(self, *args, **options):
        count = queue_pending_supplements()
        self.stdout.write(f"{count} supplement rendering(s) sent to the worker.")
