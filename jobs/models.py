"""Long exports and imports run by the worker for one person (decision 0025).

Personal data: the owner, and what the result file and the input file hold (people's names and
e-mail addresses); both files are private, served to the owner only, and deleted with the job
when it expires.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def for_user(self, user) -> "JobQuerySet":
        """A person sees their own jobs only: another administrator's job is a 404."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("owner")
    )
    # A kind registered by the app that does the work (``jobs.kinds``).
    kind = models.CharField(_("kind"), max_length=50)
    # What the work needs: an export's filters (the page's query string) and format, an import's
    # "write or only check".
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in all"), default=0)
    # Names in the private storage: the uploaded file of an import, the file an export wrote.
    input_name = models.CharField(_("input file"), max_length=255, blank=True)
    result_name = models.CharField(_("result file"), max_length=255, blank=True)
    download_name = models.CharField(_("file name"), max_length=100, blank=True)
    # An import's outcome: rows checked, rows with their problems, rows stored.
    report = models.JSONField(_("report"), default=dict, blank=True)
    # Why it failed, in the owner's language.
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When the job and its files are deleted (JOB_RESULT_HOURS after it was created).
    expires_at = models.DateTimeField(_("expires at"))

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["expires_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(done__lte=models.F("total")), name="job_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
