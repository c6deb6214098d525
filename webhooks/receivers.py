"""Which step of the procedure sends which webhook, and what the message says: ids and codes, no
personal data. The services send the signals inside their transaction; the messages are recorded
in it too and sent by the worker after the commit."""

from collections.abc import Callable

from django.dispatch import Signal

from assessments import signals as steps
from certificates import signals as documents

from .models import Event
from .services import deliveries_record


def _assessment(assessment) -> dict:
    return {"assessment": assessment.pk, "qualification": assessment.qualification.code, "status": assessment.status}


def _session(assessment) -> dict:
    return {**_assessment(assessment), "scheduled_at": assessment.scheduled_at.isoformat()}


def _document(certificate) -> dict:
    return {"assessment": certificate.assessment_id, "document": certificate.number, "kind": certificate.kind}


def _objection(objection) -> dict:
    return {
        "assessment": objection.assessment_id,
        "objection": objection.pk,
        "status": objection.status,
        "new_assessment": objection.new_assessment_id,
    }


# (signal, the event it sends, the signal's argument that names the subject, the message's data)
STEPS: list[tuple[Signal, str, str, Callable[..., dict]]] = [
    (steps.assessment_scheduled, Event.ASSESSMENT_SCHEDULED, "assessment", _session),
    (steps.assessment_rescheduled, Event.ASSESSMENT_RESCHEDULED, "assessment", _session),
    (steps.assessment_cancelled, Event.ASSESSMENT_CANCELLED, "assessment", _assessment),
    (steps.assessment_decided, Event.ASSESSMENT_DECIDED, "assessment", _assessment),
    (documents.document_issued, Event.DOCUMENT_ISSUED, "certificate", _document),
    (documents.document_revoked, Event.DOCUMENT_REVOKED, "certificate", _document),
    (steps.objection_lodged, Event.OBJECTION_LODGED, "objection", _objection),
    (steps.objection_decided, Event.OBJECTION_DECIDED, "objection", _objection),
]


def _receiver(event: str, subject: str, data: Callable[..., dict]) -> Callable[..., None]:
    def record(sender, **kwargs) -> None:
        deliveries_record(event=event, data=data(kwargs[subject]))

    return record


for signal, event, subject, data in STEPS:
    signal.connect(_receiver(event, subject, data), weak=False, dispatch_uid=f"webhooks:{event}")
