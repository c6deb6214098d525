"""Who is told of which step, and the account e-mails (invitations, password resets). The
services send the signals inside their transaction; the e-mails are recorded in it too and sent
by the worker after the commit."""

from django.dispatch import receiver

from accounts import signals as account_signals
from accounts.models import User
from assessments import signals as steps
from certificates import signals as documents
from jobs import signals as jobs_signals

from .models import Notification
from .services import notify

Event = Notification.Event


def _assessors(assessment) -> list[User]:
    return [assessment.first_assessor, assessment.second_assessor]


@receiver(steps.assessment_scheduled)
def scheduled(sender, assessment, **kwargs):
    notify(recipients=[assessment.candidate, *_assessors(assessment)], event=Event.SCHEDULED, assessment=assessment)


@receiver(steps.assessment_rescheduled)
def rescheduled(sender, assessment, **kwargs):
    notify(recipients=[assessment.candidate, *_assessors(assessment)], event=Event.RESCHEDULED, assessment=assessment)


@receiver(steps.assessment_cancelled)
def cancelled(sender, assessment, **kwargs):
    notify(recipients=[assessment.candidate, *_assessors(assessment)], event=Event.CANCELLED, assessment=assessment)


@receiver(steps.scoring_opened)
def sheet_waiting(sender, assessment, **kwargs):
    notify(recipients=_assessors(assessment), event=Event.SHEET_WAITING, assessment=assessment)


@receiver(steps.reconciliation_needed)
def reconciliation(sender, assessment, **kwargs):
    notify(recipients=_assessors(assessment), event=Event.RECONCILIATION, assessment=assessment)


def _to_candidate(assessment, event: str, *, detail: str) -> None:
    notify(recipients=[assessment.candidate], event=event, assessment=assessment, detail=detail)


@receiver(steps.assessment_decided)
def decided(sender, assessment, **kwargs):
    _to_candidate(assessment, Event.DECIDED, detail=assessment.status)


@receiver(steps.objection_lodged)
def objection_lodged(sender, objection, **kwargs):
    administrators = list(User.objects.active_with_role(User.Role.ADMINISTRATOR))
    notify(
        recipients=[objection.assessment.candidate, *administrators],
        event=Event.OBJECTION_LODGED,
        assessment=objection.assessment,
    )


@receiver(steps.objection_decided)
def objection_decided(sender, objection, **kwargs):
    _to_candidate(objection.assessment, Event.OBJECTION_DECIDED, detail=objection.status)


@receiver(documents.document_ready)
def document_ready(sender, version, **kwargs):
    _to_candidate(version.certificate.assessment, Event.DOCUMENT_READY, detail=version.certificate.number)


@receiver(documents.document_revoked)
def document_revoked(sender, certificate, **kwargs):
    _to_candidate(certificate.assessment, Event.DOCUMENT_REVOKED, detail=certificate.number)


@receiver(account_signals.invitations_requested)
def invitations(sender, accounts, **kwargs):
    notify(recipients=accounts, event=Event.INVITATION)


@receiver(account_signals.password_reset_requested)
def password_reset(sender, account, **kwargs):
    notify(recipients=[account], event=Event.PASSWORD_RESET)


@receiver(jobs_signals.job_finished)
def job_finished(sender, job, **kwargs):
    """The owner of a background job learns that it is done or failed (not when they cancelled it)."""
    event = Event.JOB_DONE if job.status == job.Status.DONE else Event.JOB_FAILED
    notify(recipients=[job.owner], event=event, detail=str(job.pk))
