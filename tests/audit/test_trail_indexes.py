"""The audit trail's search and person filter read indexes (decision 0026): the rows PostgreSQL
reads for them do not grow when the trail grows tenfold, and the plans read the indexes made for
them (``tests.plans``)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accounts.models import User
from audit.models import AuditEntry

from .. import factories
from ..plans import analyze, work_of

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's EXPLAIN ANALYZE")
SEARCH = ("audit_label_trigram_idx", "audit_summary_trigram_idx")
PERSON = ("audit_actor_time_idx", "audit_subject_time_idx")


class Trail:
    """Candidates as the services write them: an account created and an assessment created by an
    administrator, judged and submitted by one of three assessors; the candidate downloads a file.
    Seven entries each, written in SQL: tens of thousands of entries, past the size at which the
    planner still prefers reading the whole of a small table to a trigram index. Only the people
    a test asks about have accounts; the others are names and addresses in the entries."""

    SQL = """
        INSERT INTO audit_auditentry
            (created_at, actor_id, action, subject_type_id, subject_id, subject_label, summary, data, api_key)
        SELECT now() - n * interval '10 minutes',
               CASE WHEN k <= 2 THEN %(administrator)s ELSE (%(assessors)s::bigint[])[1 + n %% 3] END,
               (ARRAY['account_created', 'assessment_created', 'judgement_changed', 'judgement_changed',
                      'judgement_changed', 'sheet_submitted', 'file_downloaded'])[k],
               CASE WHEN k = 1 THEN %(account)s END,
               CASE WHEN k = 1 THEN n END,
               CASE WHEN k = 1 THEN 'c' || n || '@example.org' ELSE '0213 Name Last' || n END,
               (ARRAY['candidate c' || n || '@example.org', '0213 c' || n || '@example.org', 'C1 proven',
                      'C2 proven', 'C3 proven', '', 'portfolio.pdf'])[k],
               '{}', ''
        FROM generate_series(%(first)s, %(last)s) AS n CROSS JOIN generate_series(1, 7) AS k
    """

    def __init__(self, administrator):
        self.administrator = administrator
        self.assessors = [factories.AssessorFactory() for _ in range(3)]
        self.account = ContentType.objects.get_for_model(User)
        self.count = 0
        self.person = factories.CandidateFactory(
            first_name="Zoë", last_name="Vanderstraeten", email="zoe.vanderstraeten@example.org"
        )
        label = f"0213 {self.person.full_name}"
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=administrator,
                    action="account_created",
                    subject_type=self.account,
                    subject_id=self.person.pk,
                    subject_label=self.person.email,
                    summary=f"candidate {self.person.email}",
                ),
                AuditEntry(actor=administrator, action="assessment_created", subject_label=label, summary=""),
                AuditEntry(actor=self.person, action="file_downloaded", subject_label=label, summary="portfolio.pdf"),
            ]
        )

    def grow(self, count: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                self.SQL,
                {
                    "administrator": self.administrator.pk,
                    "assessors": [assessor.pk for assessor in self.assessors],
                    "account": self.account.pk,
                    "first": self.count + 1_000_000,  # ids no account has
                    "last": self.count + count - 1 + 1_000_000,
                },
            )
        self.count += count
        analyze()


def page(client, query: dict) -> None:
    assert client.get("/audit/", query).status_code == 200


@pytest.fixture
def trail(client, administrator):
    client.force_login(administrator)
    return Trail(administrator)


# Outside a transaction, so that the trail is vacuumed as it grows, as autovacuum would: the planner
# prices a GIN index by statistics that only VACUUM keeps.
@pytest.mark.django_db(transaction=True)
def test_the_search_reads_its_trigram_indexes_at_any_size(client, trail):
    queries = [{"search": "vanderstraeten@exa"}, {"search": "Zoë Vanderstraeten"}, {"search": "nobody-at-all"}]
    trail.grow(2_500)
    small = [work_of(lambda query=query: page(client, query)) for query in queries]
    trail.grow(22_500)
    large = [work_of(lambda query=query: page(client, query)) for query in queries]
    for query, before, after in zip(queries, small, large, strict=True):
        assert set(SEARCH) <= after.indexes, query
        assert after.rows <= before.rows * 1.2 + 20, (query, before.rows, after.rows)


@pytest.mark.django_db
def test_a_persons_entries_are_read_in_order_from_two_indexes_at_any_size(client, trail):
    """Read in the page's order (index scans, never the bitmap of ``actor = X OR subject = X``
    sorted whole), what they did and what was recorded about them each from its index."""
    zoe = trail.person
    # One of three assessors acts in a fifth of the trail: reading the trail's own index until a
    # page of theirs is found is as good, and the planner may prefer it.
    busy = trail.assessors[0]
    queries = [
        {"person": zoe.email},
        {"person": zoe.email, "at": "last"},
        {"person": busy.email},
        {"person": busy.email, "at": "last"},
    ]
    trail.grow(100)
    small = [work_of(lambda query=query: page(client, query)) for query in queries]
    trail.grow(900)
    large = [work_of(lambda query=query: page(client, query)) for query in queries]
    for query, before, after in zip(queries, small, large, strict=True):
        assert after.read("audit_auditentry") == {"Index Scan"}, query
        if query["person"] == zoe.email:
            assert set(PERSON) <= after.indexes, query
        assert after.rows <= before.rows * 1.2 + 20, (query, before.rows, after.rows)
