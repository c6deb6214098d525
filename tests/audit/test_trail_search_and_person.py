"""The audit trail's search and its filter on one person, read from indexes (decision 0026): they
find what they found before, and a person's entries page in order, without a gap or a repeat."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry

from .. import factories

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def entry(minutes_ago: float, *, actor=None, subject=None, summary: str = "", label: str = "", action="decision"):
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    return AuditEntry(
        created_at=NOW - timedelta(minutes=minutes_ago),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject.pk if subject is not None else None,
        subject_label=label,
        summary=summary,
    )


def found(client, query: str) -> list[str]:
    return [e.summary for e in client.get("/audit/", query).context["page"]]


@pytest.fixture
def trail(administrator):
    zoe = factories.CandidateFactory(first_name="Zoë", last_name="Vanderstraeten", email="zoe.v@example.org")
    other = factories.CandidateFactory(first_name="Bram", last_name="Peeters", email="bram.p@example.org")
    AuditEntry.objects.bulk_create(
        [
            entry(1, actor=administrator, subject=zoe, label=zoe.email, summary="candidate zoe.v@example.org"),
            entry(2, actor=administrator, label="0213 Zoë Vanderstraeten", summary="0213 zoe.v@example.org"),
            entry(3, label="0213 Zoë Vanderstraeten", summary="0213-2026-000042"),
            entry(4, actor=administrator, subject=other, label=other.email, summary="candidate bram.p@example.org"),
            entry(5, label="0213 Bram Peeters", summary="certified"),
            entry(6, label="100% 0213", summary="a_b"),
        ]
    )


@pytest.mark.parametrize(
    ("search", "summaries"),
    [
        ("zoe.v@example.org", ["candidate zoe.v@example.org", "0213 zoe.v@example.org"]),
        ("E.V@EXAM", ["candidate zoe.v@example.org", "0213 zoe.v@example.org"]),
        ("vanderstraeten", ["0213 zoe.v@example.org", "0213-2026-000042"]),
        ("  Zoë Vanderstraeten ", ["0213 zoe.v@example.org", "0213-2026-000042"]),
        ("2026-000042", ["0213-2026-000042"]),
        ("Peeters", ["certified"]),
        ("100%", ["a_b"]),
        ("a_b", ["a_b"]),
        ("a%b", []),
        ("nobody@example.org", []),
    ],
)
def test_the_search_finds_any_part_of_a_label_or_summary_in_any_case(client, administrator, trail, search, summaries):
    client.force_login(administrator)
    assert found(client, {"search": search}) == summaries


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite's LIKE folds the case of ASCII letters only")
def test_the_search_folds_the_case_of_any_letter(client, administrator, trail):
    client.force_login(administrator)
    assert found(client, {"search": "ZOË VANDER"}) == ["0213 zoe.v@example.org", "0213-2026-000042"]


def person_trail(administrator, person, assessor) -> list[int]:
    """Entries by ``person`` and about their account, interleaved with others' and sharing moments
    (ties broken by id), one entry both by and about them, and more than two pages in all:
    the ids, newest first."""
    assessment = factories.AssessmentFactory(candidate=person, first_assessor=assessor)
    entries = []
    for n in range(130):
        moment = n // 3  # three entries a minute: the order within a minute is the id's
        if n % 3 == 0:
            entries.append(entry(moment, actor=person, subject=assessment, summary=f"by {n}"))
        elif n % 3 == 1:
            entries.append(entry(moment, actor=administrator, subject=person, summary=f"about {n}"))
        else:
            entries.append(entry(moment, actor=assessor, subject=assessment, summary=f"other {n}"))
    entries.append(entry(0.5, actor=person, subject=person, summary="by and about"))
    entries.append(entry(200, actor=assessor, subject=assessor, summary="about someone else"))
    AuditEntry.objects.bulk_create(entries)
    mine = AuditEntry.objects.exclude(summary__startswith="other").exclude(summary="about someone else")
    return list(mine.order_by("-created_at", "-pk").values_list("pk", flat=True))


def walk(client, query: dict, link: str) -> list[list[int]]:
    """Every page from the one ``query`` asks for, following ``link`` (next_url or previous_url)."""
    seen = []
    page = client.get("/audit/", query).context["page"]
    while True:
        seen.append([e.pk for e in page])
        url = getattr(page, link)
        if not url:
            return seen
        page = client.get(f"/audit/{url}").context["page"]


def test_a_persons_entries_page_forwards_and_backwards_without_gaps_or_repeats(
    client, administrator, candidate, assessor
):
    expected = person_trail(administrator, candidate, assessor)
    assert len(expected) == 88
    client.force_login(administrator)
    query = {"person": candidate.email}
    forwards = walk(client, query, "next_url")
    assert [len(page) for page in forwards] == [50, 38]
    assert sum(forwards, []) == expected
    backwards = walk(client, {**query, "at": "last"}, "previous_url")
    assert [len(page) for page in backwards] == [50, 38]
    assert sum(reversed(backwards), []) == expected


def test_a_persons_entries_are_searched_like_any_entries(client, administrator, candidate, assessor):
    person_trail(administrator, candidate, assessor)
    client.force_login(administrator)
    newest_first = [f"about {n}" for n in range(130) if n % 3 == 1 and str(n).startswith("1")]
    assert found(client, {"person": candidate.email, "search": "ABOUT 1"}) == newest_first


def test_the_export_of_a_persons_entries_holds_the_entries_of_the_pages(client, administrator, candidate, assessor):
    expected = person_trail(administrator, candidate, assessor)
    client.force_login(administrator)
    response = client.get("/audit/export.csv", {"person": candidate.email})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))[1:]
    summaries = dict(AuditEntry.objects.values_list("pk", "summary"))
    assert [row[4] for row in rows] == [summaries[pk] for pk in expected]


def test_an_assessments_entries_are_read_newest_first(client, administrator, assessment):
    older = entry(10, subject=assessment, summary="older")
    newer = entry(10, subject=assessment, summary="newer, same moment")
    AuditEntry.objects.bulk_create([older, newer, entry(1, subject=assessment.candidate, summary="elsewhere")])
    client.force_login(administrator)
    about = f"assessments.assessment:{assessment.pk}"
    assert found(client, {"about": about}) == ["newer, same moment", "older"]
