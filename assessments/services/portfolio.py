"""The candidate's optional portfolio: adding, withdrawing and downloading files."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from audit.api import Action, audit_record
from qualifications.models import Competency, Indicator

from ..models import Assessment, PortfolioItem
from ..uploads import check_portfolio_total, check_upload


def portfolio_check_open(assessment: Assessment) -> None:
    """Files are added and withdrawn only until the assessment starts."""
    if not assessment.portfolio_open:
        raise ValidationError(_("The portfolio is closed: scoring has started."), code="portfolio_closed")


def _check_links(assessment: Assessment, competencies: list[Competency], indicators: Sequence[Indicator]) -> None:
    if not competencies:
        raise ValidationError(
            {"competencies": ValidationError(_("Link the file to at least one competency."), code="no_competency")}
        )
    if any(c.qualification_id != assessment.qualification_id for c in competencies):
        raise ValidationError(
            {
                "competencies": ValidationError(
                    _("A competency is not part of this qualification."), code="foreign_competency"
                )
            }
        )
    if any(i.competency_id not in {c.pk for c in competencies} for i in indicators):
        raise ValidationError(
            {
                "indicators": ValidationError(
                    _("An indicator must belong to one of the linked competencies."), code="foreign_indicator"
                )
            }
        )


def portfolio_item_add(
    *,
    actor: User,
    assessment: Assessment,
    upload: "UploadedFile | File[bytes] | None",
    description: str,
    competencies: list[Competency],
    indicators: Sequence[Indicator] = (),
) -> PortfolioItem:
    portfolio_check_open(assessment)
    if upload is None:
        raise ValidationError({"upload": ValidationError(_("Choose the file to add."), code="no_file")})
    _check_links(assessment, competencies, indicators)
    try:
        checked = check_upload(upload, actor=actor, about=assessment, kind="portfolio")
    except ValidationError as error:
        raise ValidationError({"upload": error}) from error
    item = PortfolioItem(
        description=description,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    # The file is written before the transaction (slow I/O holds no lock) and removed again
    # if the transaction does not commit, so a failure leaves neither a row nor an orphan file.
    item.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
            portfolio_check_open(assessment)  # again under the lock: the start may have come meanwhile
            stored = assessment.portfolio_items.aggregate(total=Sum("size"))["total"] or 0
            check_portfolio_total(stored + checked.size)
            item.assessment = assessment
            item.save()
            item.competencies.set(competencies)
            item.indicators.set(indicators)
            audit_record(
                actor=actor,
                action=Action.PORTFOLIO_ADDED,
                subject=assessment,
                summary=checked.name,
                item_id=item.pk,
                sha256=checked.sha256,
                size=checked.size,
            )
    except BaseException:
        item.file.storage.delete(item.file.name)
        raise
    return item


def portfolio_item_withdraw(*, actor: User, item: PortfolioItem) -> None:
    """The candidate takes an item back before scoring; the file is deleted once the withdrawal
    commits, and the audit trail keeps its name and checksum."""
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=item.assessment_id)
        portfolio_check_open(assessment)
        current = PortfolioItem.objects.filter(pk=item.pk).first()
        if current is None:
            raise ValidationError(_("This file was already withdrawn."), code="already_withdrawn")
        audit_record(
            actor=actor,
            action=Action.PORTFOLIO_WITHDRAWN,
            subject=assessment,
            summary=current.original_name,
            item_id=current.pk,
            sha256=current.sha256,
        )
        name, storage = current.file.name, current.file.storage
        current.competencies.clear()
        current.indicators.clear()
        current.delete()
        transaction.on_commit(lambda: storage.delete(name))


def portfolio_item_open(*, actor: User, item: PortfolioItem) -> "File[bytes]":
    """Open a portfolio file for download; every download of a personal file is audited."""
    handle: File[bytes] = item.file.open("rb")
    audit_record(
        actor=actor,
        action=Action.FILE_DOWNLOADED,
        subject=item.assessment,
        summary=item.original_name,
        kind="portfolio",
        item_id=item.pk,
    )
    return handle
