from django.core.management.base import BaseCommand

from notifications.tasks import queue_pending_notifications


class Command(BaseCommand):
    help = "Send again the e-mails that a down broker or a dead worker left behind."

    def handle(self, *args, **options):
        count = queue_pending_notifications()
        self.stdout.write(f"{count} e-mail(s) sent to the worker.")
