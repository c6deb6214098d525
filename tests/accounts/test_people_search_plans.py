"""Searching people by a name reads the people who match, not everyone listed before them: the
rows PostgreSQL reads (EXPLAIN ANALYZE, ``tests.plans``) for the People page and the account
picker do not grow when the accounts before the name grow tenfold."""

import pytest
from django.db import connection

from accounts.models import User

from ..assessments.test_work_per_page import rows_read
from ..plans import analyze

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's EXPLAIN ANALYZE"),
]

PAGES = [
    "/accounts/people/?search=janssens",
    "/accounts/people/?search=janssens&role=candidate",
    "/accounts/people/search/?search=janssens&role=candidate",
    "/accounts/people/search/?search=janssens",
]


def grow(first: int, count: int) -> None:
    """``count`` more candidates whose last names sort before Janssens, and none of whom match it."""
    User.objects.bulk_create(
        User(
            email=f"a{n}@example.org",
            username=f"a{n}@example.org",
            first_name="Bram",
            last_name=f"Aerts{n:06d}",
            role=User.Role.CANDIDATE,
        )
        for n in range(first, first + count)
    )
    analyze()


def test_searching_a_last_name_reads_its_matches_not_the_names_before_it(client, administrator):
    User.objects.bulk_create(
        User(
            email=f"j{n}@example.org",
            username=f"j{n}@example.org",
            first_name=f"Jo{n:03d}",
            last_name="Janssens",
            role=User.Role.CANDIDATE,
        )
        for n in range(300)
    )
    client.force_login(administrator)
    grow(0, 1000)
    small = {page: rows_read(client, page) for page in PAGES}
    grow(1000, 9000)
    large = {page: rows_read(client, page) for page in PAGES}
    grown = {page: (small[page], large[page]) for page in PAGES if large[page] > small[page] * 1.2 + 20}
    assert not grown, f"rows read (1,000 → 10,000 accounts before the name) grew on: {grown}"
