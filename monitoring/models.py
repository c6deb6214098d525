"""What the health page reads besides the services it asks directly. No personal data."""

from django.db import models


class Heartbeat(models.Model):
    """The last time a worker took a task from ``queue``: written by ``monitoring.tasks.heartbeat``,
    which beat sends to every queue each minute, and by a worker as it starts."""

    queue = models.CharField(max_length=100, primary_key=True)
    beaten_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.queue}: {self.beaten_at.isoformat()}"
