"""Drive an assessment through the procedure with the services, as the people would."""

from unittest import mock

from django.utils import timezone

from assessments import services
from assessments.models import Assessment, ScoreSheet
from assessments.selectors import to_judge
from assessments.services import JudgementEntry
from reports.services import reports_refresh


def start(assessment: Assessment, actor=None) -> Assessment:
    return services.assessment_start(actor=actor or assessment.first_assessor, assessment=assessment)


def end(assessment: Assessment, actor=None) -> Assessment:
    return services.assessment_end(actor=actor or assessment.first_assessor, assessment=assessment)


def sheet_of(assessment: Assessment, assessor) -> ScoreSheet:
    return ScoreSheet.objects.get(assessment=assessment, assessor=assessor)


def judge(assessment: Assessment, assessor, *, not_proven=(), submit=True, justification="Not shown today."):
    """Judge every competency proven except the orders in ``not_proven`` (with a justification)."""
    entries = [
        JudgementEntry(
            competency_id=competency.pk,
            proven=competency.order not in not_proven,
            justification=justification if competency.order in not_proven else "",
        )
        for competency in to_judge(assessment)
    ]
    return services.score_sheet_save(
        actor=assessor, sheet=sheet_of(assessment, assessor), entries=entries, submit=submit
    )


def started_and_ended(assessment: Assessment) -> Assessment:
    start(assessment)
    return end(assessment)


def certify(assessment: Assessment) -> Assessment:
    """Both assessors judge everything proven: the assessment is certified."""
    started_and_ended(assessment)
    judge(assessment, assessment.first_assessor)
    judge(assessment, assessment.second_assessor)
    assessment.refresh_from_db()
    return assessment


def overrun(assessment: Assessment, hours: float = 0, seconds: float = 0) -> None:
    """Record the end of a started assessment as if it had lasted exactly this long."""
    ended_at = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(
        started_at=ended_at - timezone.timedelta(hours=hours, seconds=seconds)
    )
    with mock.patch("django.utils.timezone.now", return_value=ended_at):
        end(assessment)


def refresh_reports() -> None:
    """The reports' counters as the worker's next periodic refresh leaves them."""
    assert reports_refresh()


def decide(assessment: Assessment, *, not_proven=()) -> Assessment:
    """Both assessors agree: everything proven except the orders in ``not_proven``."""
    started_and_ended(assessment)
    judge(assessment, assessment.first_assessor, not_proven=not_proven)
    judge(assessment, assessment.second_assessor, not_proven=not_proven)
    assessment.refresh_from_db()
    return assessment
