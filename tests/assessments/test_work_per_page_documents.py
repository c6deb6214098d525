"""The pages that ask the certificates about their assessments (the display status, the "certified"
and "revoked" filters, a search by number) read as many rows at ten times the data: the
certificates answer through ``assessments.documents`` with subqueries on their own indexes
(docs/decisions/0029), as the join they replace did. See ``test_work_per_page`` for the method."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from assessments.models import Assessment
from certificates.models import Certificate, IssuingCentre

from .. import factories
from .test_work_per_page import grow, rows_read

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's EXPLAIN ANALYZE"),
]
PAGES = [
    "/assessments/",
    "/assessments/?status=certified",
    "/assessments/?status=revoked",
    "/assessments/?search=0213-2026-000007",
]


def grew(small: dict, large: dict, *, allowed: float) -> dict:
    return {page: (small[page], large[page]) for page in small if large[page] > small[page] * allowed + 20}


def certify_the_certified(revoked_among: int) -> None:
    """A certificate for each certified assessment without one; one in ``revoked_among`` revoked."""
    centre = IssuingCentre.objects.current() or factories.IssuingCentreFactory()
    now = timezone.now()
    Certificate.objects.bulk_create(
        Certificate(
            assessment=assessment,
            number=f"0213-2026-{assessment.pk:06d}",
            year=2026,
            sequence=assessment.pk,
            holder_name="Name Last",
            issuing_centre=centre,
            first_language="nl",
            second_language="en",
            issued_at=now - timedelta(days=1),
            status=Certificate.Status.REVOKED if n % revoked_among == 0 else Certificate.Status.ISSUED,
            revoked_at=now if n % revoked_among == 0 else None,
        )
        for n, assessment in enumerate(Assessment.objects.filter(status="certified", certificate__isnull=True))
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_the_pages_asking_for_documents_read_as_many_rows_at_ten_times_the_data(client, administrator):
    qualification = factories.QualificationFactory()
    assessors = [factories.AssessorFactory() for _ in range(10)]
    client.force_login(administrator)
    grow(qualification, assessors, 60)
    certify_the_certified(revoked_among=10)
    assert Certificate.objects.filter(status=Certificate.Status.REVOKED).exists()
    small = {page: rows_read(client, page) for page in PAGES}
    grow(qualification, assessors, 540)
    certify_the_certified(revoked_among=100)  # revocations stay rare
    large = {page: rows_read(client, page) for page in PAGES}
    # Up to twice the rows: these pages read a few dozen, and the planner's choice between equally
    # cheap plans (with the statistics the tests before left) moves that by a score; a join that
    # reads every certificate reads ten times as many.
    grown = grew(small, large, allowed=2)
    assert not grown, f"rows read (60 → 600 assessments) grew on: {grown}"


def test_lists_showing_a_status_read_as_many_rows_when_revocations_grow_with_the_data(client, administrator):
    """The display status looks up the revocation of the rows shown only, and "certified" leaves
    out the revoked ones row by row: neither reads every revoked certificate (thousands in a
    large database) for a page of 25."""
    qualification = factories.QualificationFactory()
    assessors = [factories.AssessorFactory() for _ in range(10)]
    client.force_login(administrator)
    pages = ["/assessments/", "/assessments/?status=certified", "/assessments/?status=certified&at=last"]
    # From 300 on, a page of 25 is a small part of the certified ones: at 60 the last page of the
    # certified was nearly all of them, and the ratio measured how full a page is, not the growth.
    grow(qualification, assessors, 300)
    certify_the_certified(revoked_among=10)
    small = {page: rows_read(client, page) for page in pages}
    grow(qualification, assessors, 2700)
    certify_the_certified(revoked_among=10)
    large = {page: rows_read(client, page) for page in pages}
    grown = grew(small, large, allowed=1.2)
    assert not grown, f"rows read (300 → 3,000 assessments) grew on: {grown}"
