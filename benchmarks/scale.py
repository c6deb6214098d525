"""Scale benchmark of the administration pages: ``make bench-scale``.

Builds 1,000, then 10,000, then 100,000 assessments in a throw-away database next to the
configured one (``test_<name>`` on PostgreSQL when ``DATABASE_URL`` points at it, a temporary
SQLite file otherwise) and times every page through Django's test client: the median of
``BENCH_REQUESTS`` requests (10) after one warm-up request, then the ratio 100k/1k.

The data look like what the services write (two sheets of ten judgements per started assessment,
certificates, audit entries, about 200 assessors), but are generated with COPY (PostgreSQL) or
``bulk_create`` (SQLite): going through the services would take hours. It reports, it never fails.
"""

import io
import itertools
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "10"))
ASSESSORS = 200
FIRST_NAMES = [
    "An",
    "Bram",
    "Chloé",
    "Dirk",
    "Els",
    "Fatima",
    "Geert",
    "Hanne",
    "Ilse",
    "Jens",
    "Karim",
    "Lotte",
    "Mehmet",
    "Nora",
    "Olivier",
    "Pieter",
    "Rania",
    "Sofie",
    "Thomas",
    "Yasmine",
]
LAST_NAMES = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "El Amrani",
    "Vermeulen",
    "Martens",
    "Hermans",
    "Aerts",
    "Segers",
]
PLACES = ["Brussel", "Antwerpen", "Gent", "Leuven", "Brugge", "Hasselt", "Mechelen", "Kortrijk"]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    scratch = Path(tempfile.mkdtemp(prefix="portal-bench-scale-"))
    os.environ.setdefault("PORTAL_VAR_DIR", str(scratch))
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost//")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then records each response's context
    (scratch / "staticfiles").mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = str(scratch / "bench.sqlite3")


class Loader:
    """Appends rows straight to the tables: COPY on PostgreSQL, bulk INSERTs elsewhere."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.next_ids: dict[str, int] = {}

    def next_id(self, model) -> int:
        table = model._meta.db_table
        if table not in self.next_ids:
            from django.db.models import Max

            self.next_ids[table] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        value = self.next_ids[table]
        self.next_ids[table] += 1
        return value

    def insert(self, model, columns: list[str], rows) -> None:
        from django.db import transaction

        table = model._meta.db_table
        # Columns added to the models later get their model default, so the generator keeps up.
        missing = [f for f in model._meta.concrete_fields if f.column not in columns and not f.null]
        if missing:
            defaults = tuple(
                json.dumps(f.get_default()) if isinstance(f.get_default(), dict | list) else f.get_default()
                for f in missing
            )
            columns = [*columns, *(f.column for f in missing)]
            rows = (tuple(row) + defaults for row in rows)
        with transaction.atomic(), self.connection.cursor() as cursor:
            if self.postgres:
                names = ", ".join(f'"{column}"' for column in columns)
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("%s" for _ in columns)})'
                rows = iter(rows)
                while batch := list(itertools.islice(rows, 5000)):
                    cursor.executemany(sql, batch)

    def finish(self, models) -> None:
        """Move the id sequences past the ids written here, and refresh the planner's statistics."""
        if not self.postgres:
            return
        with self.connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
        with self.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


class World:
    """The generated test centre, grown size by size."""

    def __init__(self):
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone

        from accounts.models import User
        from assessments.models import Assessment
        from qualifications.models import Qualification

        self.loader = Loader()
        self.random = random.Random(14)
        self.now = timezone.now()
        self.qualification = Qualification.objects.get(code="0213")
        self.competencies = list(self.qualification.competencies.values_list("pk", flat=True))
        self.assessment_type = ContentType.objects.get_for_model(Assessment).pk
        self.user_type = ContentType.objects.get_for_model(User).pk
        self.administrator = User.objects.create_user(
            email="admin@bench.test",
            password="bench-admin-pass",
            role=User.Role.ADMINISTRATOR,
            first_name="Ada",
            last_name="Admin",
            is_staff=True,
        )
        from certificates.models import IssuingCentre

        self.centre = IssuingCentre.objects.create(
            name="Testcentrum Brussel", address="Kunstlaan 1\n1000 Brussel", recognition_number="EVC-0001"
        )
        self.count = 0
        self.sequence = 0
        self.assessors = [self._user(User.Role.ASSESSOR, f"assessor{n}@bench.test") for n in range(ASSESSORS)]
        self.loader.insert(User, self.USER_COLUMNS, [row for _pk, row in self.assessors])
        self.assessors = [pk for pk, _row in self.assessors]

    USER_COLUMNS = [
        "id",
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "role",
        "preferred_language",
    ]

    def _user(self, role: str, email: str):
        from accounts.models import User

        pk = self.loader.next_id(User)
        first, last = self.random.choice(FIRST_NAMES), self.random.choice(LAST_NAMES)
        password = "md5$bench$0" if self.random.random() < 0.8 else "!unusable"
        return pk, (pk, password, False, email, first, last, email, False, True, self.now, role, "nl")

    def grow_to(self, size: int) -> None:
        from django.core.management import call_command

        from accounts.models import User
        from assessments.models import Assessment, Judgement, ScoreSheet
        from audit.models import AuditEntry
        from certificates.models import Certificate

        started = time.perf_counter()
        users, assessments, sheets, judgements, certificates, audit = [], [], [], [], [], []
        for index in range(self.count, size):
            self._one(index, users, assessments, sheets, judgements, certificates, audit)
        loader = self.loader
        loader.insert(User, self.USER_COLUMNS, users)
        loader.insert(
            Assessment,
            [
                "id",
                "candidate_id",
                "qualification_id",
                "first_assessor_id",
                "second_assessor_id",
                "scheduled_at",
                "location",
                "status",
                "started_at",
                "ended_at",
                "decided_at",
                "created_at",
            ],
            assessments,
        )
        loader.insert(ScoreSheet, ["id", "assessment_id", "assessor_id", "status", "submitted_at"], sheets)
        loader.insert(
            Judgement, ["id", "sheet_id", "competency_id", "proven", "justification", "updated_at"], judgements
        )
        loader.insert(
            Certificate,
            [
                "id",
                "assessment_id",
                "number",
                "year",
                "sequence",
                "verification_code",
                "holder_name",
                "first_language",
                "second_language",
                "issued_at",
                "status",
                "revoked_at",
                "revocation_reason",
                "issuing_centre_id",
            ],
            certificates,
        )
        audit.sort(key=lambda row: row[0])  # the trail is written in time order
        loader.insert(
            AuditEntry,
            [
                "id",
                "created_at",
                "actor_id",
                "action",
                "subject_type_id",
                "subject_id",
                "subject_label",
                "summary",
                "data",
            ],
            [(loader.next_id(AuditEntry), *row) for row in audit],
        )
        loader.finish([User, Assessment, ScoreSheet, Judgement, Certificate, AuditEntry])
        self.count = size
        print(
            f"  built {size:,} assessments ({len(judgements):,} more judgements, {len(audit):,} more audit "
            f"entries) in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        # The rows were written beside the services: counted into the reports' counters as after a
        # bulk load (docs/deploy.md).
        started = time.perf_counter()
        call_command("reports_rebuild", stdout=io.StringIO())
        loader.finish([])
        print(f"  rebuilt the reports' counters in {time.perf_counter() - started:.1f} s", flush=True)

    def _one(self, index, users, assessments, sheets, judgements, certificates, audit) -> None:
        from accounts.models import User
        from assessments.models import Assessment, Judgement, ScoreSheet
        from certificates.models import Certificate

        rng = self.random
        candidate_pk, candidate = self._user(User.Role.CANDIDATE, f"candidate{index}@bench.test")
        users.append(candidate)
        name = f"{candidate[4]} {candidate[5]}"
        first, second = rng.sample(self.assessors, 2)
        # Two years of past sessions and one year ahead, as a centre that has run for a while.
        scheduled = self.now + timedelta(days=rng.uniform(-730, 365), minutes=0)
        scheduled = scheduled.replace(minute=0, second=0, microsecond=0)
        pk = self.loader.next_id(Assessment)
        label = f"0213 {name}"
        created = scheduled - timedelta(days=30)
        admin = self.administrator.pk
        audit.append(
            (
                created - timedelta(hours=1),
                admin,
                "account_created",
                self.user_type,
                candidate_pk,
                candidate[6],
                f"candidate {candidate[6]}",
                "{}",
            )
        )
        audit.append(
            (
                created,
                admin,
                "assessment_created",
                self.assessment_type,
                pk,
                label,
                f"0213 {candidate[6]}",
                json.dumps({"assessors": [f"assessor{first}", f"assessor{second}"]}),
            )
        )
        place = rng.choice(PLACES)
        if scheduled > self.now:
            row = (pk, candidate_pk, self.qualification.pk, first, second, scheduled, place, "registered")
            assessments.append((*row, None, None, None, created))
            return
        roll = rng.random()
        status = (
            "certified"
            if roll < 0.7
            else "not_certified"
            if roll < 0.85
            else "reconciliation"
            if roll < 0.93
            else "scoring"
        )
        started, ended = scheduled, scheduled + timedelta(hours=rng.uniform(2, 7))
        decided = ended + timedelta(days=1) if status in ("certified", "not_certified") else None
        row = (pk, candidate_pk, self.qualification.pk, first, second, scheduled, place, status)
        assessments.append((*row, started, ended if status != "scoring" else None, decided, created))
        audit.append((started, admin, "assessment_started", self.assessment_type, pk, label, "", "{}"))
        for assessor in (first, second):
            sheet = self.loader.next_id(ScoreSheet)
            submitted = status != "scoring"
            sheets.append((sheet, pk, assessor, "submitted" if submitted else "draft", ended if submitted else None))
            for competency in self.competencies:
                proven = (
                    None
                    if status == "scoring" and rng.random() < 0.5
                    else (status != "not_certified" or rng.random() < 0.7)
                )
                judgements.append(
                    (
                        self.loader.next_id(Judgement),
                        sheet,
                        competency,
                        proven,
                        "" if proven is not False else "Niet aangetoond tijdens de observatie.",
                        ended,
                    )
                )
            if submitted:
                audit.append((ended, assessor, "sheet_submitted", self.assessment_type, pk, label, "", "{}"))
        if decided:
            audit.append((decided, None, "decision", self.assessment_type, pk, label, status, "{}"))
        if status == "certified":
            self.sequence += 1
            revoked = rng.random() < 0.02
            certificates.append(
                (
                    self.loader.next_id(Certificate),
                    pk,
                    f"0213-{decided.year}-{self.sequence:06d}",
                    decided.year,
                    self.sequence,
                    secrets.token_urlsafe(18),
                    name,
                    "nl",
                    "en",
                    decided,
                    "revoked" if revoked else "issued",
                    decided + timedelta(days=5) if revoked else None,
                    "Administratieve fout." if revoked else "",
                    self.centre.pk,
                )
            )
            audit.append(
                (
                    decided,
                    None,
                    "certificate_issued",
                    self.assessment_type,
                    pk,
                    label,
                    f"0213-{decided.year}-{self.sequence:06d}",
                    "{}",
                )
            )


def pages(world) -> dict[str, tuple]:
    """Page name -> (user, URL or a function of the client that finds the URL)."""
    from django.utils import timezone

    from accounts.models import User
    from assessments.models import Assessment
    from certificates.models import Certificate

    admin = world.administrator
    scoring = Assessment.objects.filter(status="scoring").order_by("pk").first()
    assessor = User.objects.get(pk=scoring.first_assessor_id)
    candidate = User.objects.get(pk=scoring.candidate_id)
    certificate = Certificate.objects.order_by("pk").first()
    today = timezone.localdate()
    month = f"date_from={today - timedelta(days=30):%Y-%m-%d}&date_to={today:%Y-%m-%d}"
    return {
        "administrator dashboard": (admin, "/assessments/"),
        "administrator dashboard, last page": (admin, last_page("/assessments/")),
        'dashboard filtered "certified"': (admin, "/assessments/?status=certified"),
        "dashboard, last 30 days": (admin, f"/assessments/?{month}"),
        "dashboard, search by name": (admin, f"/assessments/?search={candidate.last_name}"),
        "dashboard, certificate revoked": (admin, "/assessments/?status=revoked"),
        "reports": (admin, "/assessments/reports/"),
        "audit trail": (admin, "/audit/"),
        "audit trail, last page": (admin, last_page("/audit/")),
        "people": (admin, "/accounts/people/"),
        "people, last page": (admin, last_page("/accounts/people/")),
        "people, search": (admin, f"/accounts/people/?search={candidate.first_name}+{candidate.last_name[:3]}"),
        "account picker suggestions": (admin, f"/accounts/people/search/?role=candidate&search={candidate.last_name}"),
        "audit trail, one action": (admin, "/audit/?action=sheet_submitted"),
        "new assessment form": (admin, "/assessments/new/"),
        "assessment page (administrator)": (admin, f"/assessments/{scoring.pk}/"),
        "assessor dashboard": (assessor, "/assessments/"),
        "score sheet": (assessor, f"/assessments/{scoring.pk}/score-sheet/"),
        "candidate dashboard": (candidate, "/assessments/"),
        "verification": (None, f"/verify/{certificate.verification_code}/"),
        "catalogue": (None, "/qualifications/"),
    }


def last_page(url: str):
    """The URL of a list's last page: a page number or, with keyset pages, the "last" link."""

    def find(client) -> str:
        page = client.get(url).context["page"]
        if getattr(page, "last_url", None):
            return url + page.last_url
        return f"{url}?page={page.paginator.num_pages}"

    return find


def measure_exports(world) -> None:
    """Every assessment and every audit entry, downloaded whole: time and the process's peak memory."""
    import resource

    from django.test import Client

    client = Client()
    client.force_login(world.administrator)
    for url in ("/assessments/export.csv", "/assessments/export.xlsx", "/audit/export.csv"):
        started = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            print(f"  {url}: {response.status_code}")
            continue
        size = sum(len(chunk) for chunk in response.streaming_content)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(
            f"  export {url}: {size / 1e6:,.1f} MB in {time.perf_counter() - started:,.1f} s "
            f"(peak memory of the process so far {peak:,} MB)",
            flush=True,
        )


def measure(world) -> dict[str, float]:
    from django.test import Client

    results = {}
    for name, (user, url) in pages(world).items():
        client = Client()
        if user is not None:
            client.force_login(user)
        if callable(url):
            url = url(client)
        times = []
        for _attempt in range(REQUESTS + 1):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (name, url, response.status_code)
        results[name] = statistics.median(times[1:]) * 1000
        print(f"  {name}: {results[name]:,.0f} ms", flush=True)
    return results


def main() -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(
        f"Database: {connection.vendor} {connection.settings_dict['NAME']}; median of {REQUESTS} requests", flush=True
    )
    try:
        call_command("loaddata", "qualification_0213", verbosity=0)
        world = World()
        table: dict[int, dict[str, float]] = {}
        for size in SIZES:
            world.grow_to(size)
            table[size] = measure(world)
            if os.environ.get("BENCH_EXPORTS", "1") == "1":
                measure_exports(world)
        print_table(table)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def print_table(table: dict[int, dict[str, float]]) -> None:
    sizes = list(table)
    names = [f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}" for size in sizes]
    header = ["page", *names, f"{names[-1]}/{names[0]}"]
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in table[sizes[0]]:
        times = [table[size][name] for size in sizes]
        cells = [f"{value:,.0f} ms" for value in times]
        print(f"| {name} | " + " | ".join(cells) + f" | {times[-1] / times[0]:.1f}× |")


if __name__ == "__main__":
    main()
