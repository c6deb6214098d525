"""Scale benchmark of the portal: ``make bench-scale`` (``SIZES=1000,100000`` to choose the sizes).

For each size (1,000, 100,000 and 1,000,000 assessments by default) a database ``bench_scale_<size>``
(``BENCH_DB_PREFIX`` instead of ``bench_scale_``) is made next to the configured PostgreSQL database, migrated and filled with realistic data
(``benchmarks.scale_data``: candidates with several assessments, portfolio files, a judgement per
competency for two assessors, objections, re-assessments, statements, supplements and the audit
trail as the services write it), written by SQL in the database itself; the reports' counters are
rebuilt (``reports_rebuild``) as after any bulk load.

The portal then runs as in production: gunicorn with ``portal.settings.production`` and a
throw-away configuration (a random secret key, the shared cache in Redis, no seal, no virus
scanner). Real HTTP requests sign in through the sign-in form as an administrator, an assessor and
a candidate, and time every page: cold (its first request after gunicorn started) and warm (the
median of ``BENCH_REQUESTS``, 10 by default); then the sign-in itself, every export (each timed end
to end by ``time_export``: answered at once, or a background job waited for through its progress
and downloaded; stopped after ``BENCH_EXPORT_SECONDS``) and imports of 1,000 and 10,000 people and
assessments (``time_import``: checked, then imported, at once or as jobs). A Celery worker serves
the jobs, with the same configuration and a Redis broker (``BENCH_BROKER_URL``).

The table (warm ms per size, cold ms at the largest size, the ratio of the largest size to the
smallest) is printed and written as JSON to ``BENCH_OUTPUT`` (``var/bench-scale.json``).
``BENCH_KEEP=1`` keeps the databases; by default each is dropped once measured (they take disk:
about 25 GB at a million assessments). It reports, it never fails. PostgreSQL only.
"""

import csv
import io
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SIZES = [int(size) for size in os.environ.get("SIZES", "1000,100000,1000000").split(",") if size.strip()]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "10"))
EXPORT_SECONDS = float(os.environ.get("BENCH_EXPORT_SECONDS", "120"))
PORT = int(os.environ.get("BENCH_PORT", "8102"))
# The databases are named <prefix><size>, so that two runs on one server do not meet.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench_scale_")
if not re.fullmatch(r"[a-z_][a-z0-9_]*", DB_PREFIX):
    sys.exit("BENCH_DB_PREFIX may hold only lower-case letters, digits and underscores.")
# The shared cache and the worker's broker: two Redis databases (production refuses one for both).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
# How often a background job's progress is asked for while it runs.
POLL_SECONDS = float(os.environ.get("BENCH_POLL_SECONDS", "0.5"))
OUTPUT = Path(os.environ.get("BENCH_OUTPUT", ROOT / "var" / "bench-scale.json"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
ADMIN = "admin@bench.test"
GOAL_MS = 300
GOAL_RATIO = 2.0


def database_url(name: str) -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench-scale needs DATABASE_URL=postgres://… (PostgreSQL): the data are written by its SQL.")
    return urlunparse(urlparse(configured)._replace(path=f"/{name}"))


def psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def manage(url: str, *args: str, env: dict | None = None) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.base", **(env or {})},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


# --- building one size ---------------------------------------------------------------------------


def build(size: int) -> dict:
    """Make, migrate and fill ``bench_scale_<size>``: returns the generation's timings and counts."""
    name = f"{DB_PREFIX}{size}"
    maintenance = database_url("postgres")
    if KEEP and psql(maintenance, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        # Kept by an earlier run with BENCH_KEEP=1: measured again as it is.
        kept = psql(database_url(name), "SELECT result FROM bench_generation")
        manage(database_url(name), "migrate", "--verbosity", "0")  # migrations added since
        print("  reusing the database kept by an earlier run", flush=True)
        return json.loads(kept)
    psql(maintenance, f"DROP DATABASE IF EXISTS {name}")
    psql(maintenance, f"CREATE DATABASE {name}")
    url = database_url(name)
    started = time.perf_counter()
    manage(url, "migrate", "--verbosity", "0")
    manage(url, "loaddata", "qualification_0213", "--verbosity", "0")
    migrated = time.perf_counter() - started
    output = subprocess.run(
        [PYTHON, "-m", "benchmarks.scale", "generate", str(size)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.base"},
        check=True,
        capture_output=True,
        text=True,
    )
    print(output.stderr, end="", flush=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["seconds"]["migrate"] = migrated
    return result


def generate_here(size: int) -> None:
    """In a process of its own (Django set up on the size's database): the generator, then the
    reports' counters. Prints the result as JSON on its last line."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.scale_data import generate

    ids = fixed_rows()

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    generated = generate(connection, size, ids, log=log)
    started = time.perf_counter()
    call_command("reports_rebuild", verbosity=0)
    generated.seconds["reports_rebuild"] = time.perf_counter() - started
    log(f"    reports_rebuild: {generated.seconds['reports_rebuild']:.1f} s")
    result = json.dumps({"size": size, "seconds": generated.seconds, "counts": generated.counts})
    with connection.cursor() as cursor:  # for a later run that reuses the database (BENCH_KEEP=1)
        cursor.execute("CREATE TABLE bench_generation (result text)")
        cursor.execute("INSERT INTO bench_generation VALUES (%s)", [result])
    print(result)


def fixed_rows() -> dict:
    """The rows made through the models (the administrator, the issuing centre) and the ids the
    generator refers to."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import User
    from assessments.models import Assessment
    from benchmarks.scale_data import PASSWORD
    from certificates.models import Certificate, IssuingCentre
    from qualifications.models import Qualification

    admin = User.objects.create_user(
        email=ADMIN,
        password=PASSWORD,
        role=User.Role.ADMINISTRATOR,
        first_name="Ada",
        last_name="Admin",
        is_staff=True,
        preferred_language="en",  # the refusals the benchmark looks for are in English
    )
    centre = IssuingCentre.objects.filter(is_current=True).first() or IssuingCentre.objects.create(
        name="Testcentrum Brussel", address="Kunstlaan 1\n1000 Brussel", recognition_number="EVC-0001"
    )
    qualification = Qualification.objects.get(code="0213")
    competencies = list(qualification.competencies.order_by("pk").values_list("pk", "code"))
    assert [pk for pk, _code in competencies] == list(range(competencies[0][0], competencies[0][0] + len(competencies)))
    return {
        "admin": admin.pk,
        "centre": centre.pk,
        "qualification": qualification.pk,
        "competencies": [pk for pk, _code in competencies],
        "competency_codes": [code for _pk, code in competencies],
        "assessment_type": ContentType.objects.get_for_model(Assessment).pk,
        "user_type": ContentType.objects.get_for_model(User).pk,
        "certificate_type": ContentType.objects.get_for_model(Certificate).pk,
        # Past every account that exists (a test database's sequences have moved on), in round thousands.
        "first_user": 1000 * (1 + User.objects.order_by("-pk").values_list("pk", flat=True).first() // 1000),
        # One hash for every generated account: signing in checks it as it would any other.
        "password": make_password(PASSWORD),
    }


# --- serving ----------------------------------------------------------------------------------------


class Server:
    """gunicorn with the production settings on a throw-away configuration."""

    def __init__(self, url: str, scratch: Path):
        self.scratch = scratch
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{PORT}",
            "DATABASE_URL": url,
            "CELERY_BROKER_URL": BROKER_URL,
            "REDIS_CACHE_URL": REDIS_URL,
            "PORTAL_BASE_URL": "https://portal.bench.test",
            "PORTAL_ALLOW_UNSEALED": "1",
            "PORTAL_ALLOW_UNSCANNED_UPLOADS": "1",
            "PORTAL_VAR_DIR": str(scratch),
            "STATIC_ROOT": str(scratch / "static"),
            "SECURE_SSL_REDIRECT": "0",  # the requests say https in X-Forwarded-Proto, as behind the proxy
            "PORT": str(PORT),
            "WEB_CONCURRENCY": "2",
            "WEB_THREADS": "4",
            "LOG_LEVEL": "WARNING",
            "PROMETHEUS_MULTIPROC_DIR": str(scratch / "metrics"),
        }
        self.process = None
        self.worker = None

    def collectstatic(self) -> None:
        if not (self.scratch / "static").exists():
            subprocess.run(
                [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=ROOT,
                env=self.env,
                check=True,
            )

    def start(self) -> None:
        shutil.rmtree(self.scratch / "metrics", ignore_errors=True)  # emptied at each start, as deployed
        (self.scratch / "metrics").mkdir()
        self.collectstatic()
        log = open(self.scratch / "gunicorn.log", "ab")  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "portal.wsgi", "-c", "portal/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{PORT}/health/", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within a minute (see gunicorn.log)")

    def start_worker(self) -> None:
        """The Celery worker, as deployed, on the queue the background jobs go to."""
        log = open(self.scratch / "worker.log", "ab")  # noqa: SIM115 - open while the worker runs
        self.worker = subprocess.Popen(
            [str(Path(PYTHON).parent / "celery"), "-A", "portal", "worker", "--loglevel=WARNING"]
            + ["--concurrency=2", "--queues=celery", "--without-mingle", "--without-gossip"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def stop(self) -> None:
        for name in ("process", "worker"):
            process = getattr(self, name, None)
            if process is None:
                continue
            process.send_signal(signal.SIGTERM)  # the worker finishes its task first
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: the process and its children
                process.wait()
            setattr(self, name, None)


class Browser:
    """One person's requests: the cookies kept by hand, since the portal's cookies are Secure and
    the requests reach gunicorn in plain HTTP (with ``X-Forwarded-Proto: https`` as the proxy sets)."""

    def __init__(self):
        import httpx

        self.origin = f"https://127.0.0.1:{PORT}"
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{PORT}",
            headers={"X-Forwarded-Proto": "https", "Origin": self.origin},
            timeout=300,  # an import of 1,000 rows takes tens of seconds
            follow_redirects=False,
        )
        self.cookies: dict[str, str] = {}

    def _headers(self, url: str) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": self.origin + url}

    def _keep(self, response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in header or "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def get(self, url: str):
        response = self.client.get(url, headers=self._headers(url))
        self._keep(response)
        return response

    def post(self, url: str, data: dict, files: dict | None = None):
        response = self.client.post(url, data=data, files=files, headers=self._headers(url))
        self._keep(response)
        return response

    def csrf(self, url: str) -> str:
        page = self.get(url)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, (url, page.status_code)
        return match.group(1)

    def sign_in(self, email: str) -> float:
        """Sign in through the form; returns the POST's time in ms."""
        from benchmarks.scale_data import PASSWORD

        token = self.csrf("/accounts/login/")
        started = time.perf_counter()
        response = self.post(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD}
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, ("sign-in refused", email, response.status_code)
        return elapsed

    def close(self) -> None:
        self.client.close()


# --- what is timed -----------------------------------------------------------------------------------


def people(url: str) -> dict:
    """The accounts and rows the pages are asked about, found in the database."""

    def one(sql: str):
        return psql(url, sql).split("|")

    today = date.today()
    scoring = one(
        "SELECT a.id, a.first_assessor_id, f.email, c.email, c.first_name || ' ' || c.last_name FROM assessments_assessment a "
        "JOIN accounts_user f ON f.id = a.first_assessor_id JOIN accounts_user c ON c.id = a.candidate_id "
        "WHERE a.status = 'scoring' AND c.password <> '!unusable' ORDER BY a.id LIMIT 1"
    )
    reconciling = one(
        "SELECT id, second_assessor_id FROM assessments_assessment WHERE status = 'reconciliation' LIMIT 1"
    )
    reconciler = one(f"SELECT email FROM accounts_user WHERE id = {reconciling[1]}")[0]
    # A candidate with three assessments and a certificate: the longest candidate pages.
    chained = one(
        "SELECT a.candidate_id, u.email, a.id, c.id, c.verification_code FROM assessments_assessment a "
        "JOIN accounts_user u ON u.id = a.candidate_id JOIN certificates_certificate c ON c.assessment_id = a.id "
        "WHERE a.previous_id IS NOT NULL AND c.kind = 'certificate' AND u.password <> '!unusable' "
        "ORDER BY a.id LIMIT 1"
    )
    busiest_day = one(
        "SELECT (scheduled_at AT TIME ZONE 'Europe/Brussels')::date FROM assessments_assessment "
        "WHERE scheduled_at > now() GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    )[0]
    return {
        "scoring": scoring[0],
        "assessor": scoring[2],
        "candidate_email": scoring[3],
        "candidate_name": scoring[4],
        "candidate_last_name": scoring[4].split()[-1],
        "reconciliation": reconciling[0],
        "reconciler": reconciler,
        "chained_candidate": chained[0],
        "chained_email": chained[1],
        "chained_assessment": chained[2],
        "certificate": chained[3],
        "verification_code": chained[4],
        "busiest_day": busiest_day,
        "month": f"date_from={today - timedelta(days=30):%Y-%m-%d}&date_to={today:%Y-%m-%d}",
        "number": one("SELECT number FROM certificates_certificate ORDER BY id DESC LIMIT 1")[0],
    }


def pages(p: dict) -> dict[str, tuple[str, str]]:
    """Page -> (who: admin, assessor, reconciler, candidate or public, URL); ``last:`` asks for the
    list's last page through its own "last" link."""
    return {
        "assessments (administrator's dashboard)": ("admin", "/assessments/"),
        "assessments, last page": ("admin", "last:/assessments/"),
        "assessments, status certified": ("admin", "/assessments/?status=certified"),
        "assessments, certificate revoked": ("admin", "/assessments/?status=revoked"),
        "assessments, last 30 days": ("admin", f"/assessments/?{p['month']}"),
        "assessments, search by name": ("admin", f"/assessments/?search={p['candidate_name']}"),
        "assessments, search by last name": ("admin", f"/assessments/?search={p['candidate_last_name']}"),
        "assessments, search by e-mail": ("admin", f"/assessments/?search={p['candidate_email']}"),
        "assessments, search by number": ("admin", f"/assessments/?search={p['number']}"),
        "assessments, one assessor": ("admin", f"/assessments/?assessor={p['assessor']}"),
        "assessments, objection open": ("admin", "/assessments/?objection=open"),
        "assessments, location": ("admin", "/assessments/?location=Gent"),
        "day view, today": ("admin", "/assessments/day/"),
        "day view, busiest day": ("admin", f"/assessments/day/?day={p['busiest_day']}"),
        "assessment page (administrator)": ("admin", f"/assessments/{p['chained_assessment']}/"),
        "assessment timeline": ("admin", f"/assessments/{p['chained_assessment']}/timeline/"),
        "new assessment form": ("admin", "/assessments/new/"),
        "reports": ("admin", "/assessments/reports/"),
        "audit trail": ("admin", "/audit/"),
        "audit trail, last page": ("admin", "last:/audit/"),
        "audit trail, search by e-mail": ("admin", f"/audit/?search={p['candidate_email']}"),
        "audit trail, search part of an e-mail": ("admin", f"/audit/?search={p['candidate_email'][4:14]}"),
        "audit trail, search a name": ("admin", "/audit/?search=Peeters"),
        "audit trail, search nothing found": ("admin", "/audit/?search=zzqqxx"),
        "audit trail, one action": ("admin", "/audit/?action=objection_lodged"),
        "audit trail, person (candidate)": ("admin", f"/audit/?person={p['chained_email']}"),
        "audit trail, person (assessor)": ("admin", f"/audit/?person={p['assessor']}"),
        "audit trail, person (assessor), last page": ("admin", f"last:/audit/?person={p['assessor']}"),
        "people": ("admin", "/accounts/people/"),
        "people, last page": ("admin", "last:/accounts/people/"),
        "people, search by name": ("admin", f"/accounts/people/?search={p['candidate_name']}"),
        "people, search by last name": ("admin", f"/accounts/people/?search={p['candidate_last_name']}"),
        "people, search by e-mail": ("admin", f"/accounts/people/?search={p['candidate_email']}"),
        "people, assessors": ("admin", "/accounts/people/?role=assessor"),
        "account picker suggestions": (
            "admin",
            f"/accounts/people/search/?role=candidate&search={p['candidate_name']}",
        ),
        "person page": ("admin", f"/accounts/people/{p['chained_candidate']}/"),
        "e-mails (notifications)": ("admin", "/notifications/"),
        "certificate panel": ("admin", f"/certificates/{p['certificate']}/panel/"),
        "assessor dashboard": ("assessor", "/assessments/"),
        "score sheet": ("assessor", f"/assessments/{p['scoring']}/score-sheet/"),
        "reconciliation": ("reconciler", f"/assessments/{p['reconciliation']}/reconciliation/"),
        "candidate dashboard": ("candidate", "/assessments/"),
        "candidate's assessment page": ("candidate", f"/assessments/{p['chained_assessment']}/"),
        "profile": ("candidate", "/accounts/profile/"),
        "verification page": ("public", f"/verify/{p['verification_code']}/"),
        "catalogue": ("public", "/qualifications/"),
    }


EXPORTS = {
    "export assessments .csv": "/assessments/export.csv",
    "export assessments .xlsx": "/assessments/export.xlsx",
    "export assessments, last 30 days .csv": "/assessments/export.csv?{month}",
    "export people .csv": "/accounts/people/export.csv",
    "export people .xlsx": "/accounts/people/export.xlsx",
    "export audit trail .csv": "/audit/export.csv",
    "export audit trail .xlsx": "/audit/export.xlsx",
    "export audit trail, one person .csv": "/audit/export.csv?person={chained_email}",
    "export reports .csv": "/assessments/reports/export.csv",
    "export reports .xlsx": "/assessments/reports/export.xlsx",
    "export outcome reports .csv": "/assessments/reports/outcomes.csv",
    "export outcome reports .xlsx": "/assessments/reports/outcomes.xlsx",
}


JOB_URL = re.compile(r"^(?:https?://[^/]+)?(/jobs/(\d+)/)$")
FINISHED = ("done", "failed", "cancelled")


def job_of(response) -> str | None:
    """The job page a response redirects to (a long export or import goes to the worker)."""
    if response.status_code != 302:
        return None
    match = JOB_URL.match(response.headers.get("location", ""))
    return match.group(1) if match else None


def wait_for(browser: Browser, job: str, started: float) -> str:
    """Ask the job's progress until it ended (its status) or ``EXPORT_SECONDS`` passed since
    ``started`` (then it is cancelled, so that the worker is free for the next one)."""
    while time.perf_counter() - started < EXPORT_SECONDS:
        status = browser.get(f"{job}progress/").json()["status"]
        if status in FINISHED:
            return status
        time.sleep(POLL_SECONDS)
    browser.post(f"{job}cancel/", {"csrfmiddlewaretoken": browser.csrf(job)})
    return "stopped"


def time_export(browser: Browser, url: str) -> dict:
    """One export end to end: asked; either answered at once, or its job waited for (its progress
    asked every ``POLL_SECONDS``) and its file downloaded; read whole. Stopped after
    ``EXPORT_SECONDS``. ``job`` says how it ended: ``immediate``, or the job's final status."""
    started = time.perf_counter()
    response = browser.get(url)  # at most JOB_ROWS_IMMEDIATE rows when answered at once
    job = job_of(response)
    if job is None:
        if response.status_code != 200:
            return {"status": response.status_code}
        return {"ms": (time.perf_counter() - started) * 1000, "bytes": len(response.content), "job": "immediate"}
    outcome = wait_for(browser, job, started)
    if outcome != "done":
        return {"ms": None, "bytes": 0, "stopped_after_s": EXPORT_SECONDS, "job": outcome}
    download = browser.get(f"{job}download/")  # the whole file, written before the job was done
    if download.status_code != 200:
        return {"status": download.status_code, "job": outcome}
    return {"ms": (time.perf_counter() - started) * 1000, "bytes": len(download.content), "job": outcome}


def import_file(columns: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode()


OUTCOME = re.compile(r'<p (?:class="[^"]*" )?role="(?:status|alert)">\s*([^<]+?)\s*</p>')


def job_outcome(browser: Browser, job: str) -> str:
    """What the job's page says once it ended: rows imported, checked, their problems, an error."""
    return "; ".join(OUTCOME.findall(browser.get(job).text))


def time_import(browser: Browser, url: str, content: bytes) -> dict:
    """Check the file, then import it, each timed end to end. A short file is checked and imported
    at once (the import page's two buttons); a long one is checked by a job, waited for, then
    imported by the job that the check's page starts ("Import this file"), waited for too."""
    result = {}
    job = None
    for step in ("check", "import"):
        started = time.perf_counter()
        if job is None:
            token = browser.csrf(url)
            response = browser.post(
                url, {"csrfmiddlewaretoken": token, step: "1"}, files={"file": ("rows.csv", content, "text/csv")}
            )
        else:  # the checked file, imported from its job's page
            response = browser.post(f"{job}import/", {"csrfmiddlewaretoken": browser.csrf(job)})
        result[f"{step}_status"] = response.status_code
        job = job_of(response)
        if job is not None:
            result[f"{step}_job"] = wait_for(browser, job, started)
            result[f"{step}_ms"] = (time.perf_counter() - started) * 1000
            result[f"{step}_outcome"] = job_outcome(browser, job)
            if result[f"{step}_job"] != "done" or "nothing was stored" in result[f"{step}_outcome"]:
                break
            continue
        result[f"{step}_ms"] = (time.perf_counter() - started) * 1000
        result[f"{step}_job"] = "immediate"
        problems = re.findall(r"(At most [\d,.]+ rows at a time\.|\d[\d,]* rows? ha(?:s|ve) a problem)", response.text)
        if problems:
            result["refused"] = problems[0]
            break
    return result


def imports(browser: Browser, p: dict, size: int) -> dict:
    """Candidates, then assessments of those candidates: 1,000 rows and 10,000 rows."""
    results = {}
    first = (date.today() + timedelta(days=400)).isoformat()
    for rows in (1000, 10000):
        run = secrets.token_hex(3)  # a kept database is imported into again by the next run
        emails = [f"import{run}-{rows}-{n}@bench.test" for n in range(rows)]
        candidates = import_file(
            ["first_name", "last_name", "email"], [["Ina", f"Import {n}", e] for n, e in enumerate(emails)]
        )
        results[f"import {rows:,} candidates"] = time_import(browser, "/accounts/people/import/", candidates)
        assessments = import_file(
            ["candidate", "qualification", "first_assessor", "second_assessor", "scheduled_at", "location"],
            [
                [email, "0213", "assessor1@bench.test", "assessor2@bench.test", f"{first} {9 + n % 8:02d}:00", "Gent"]
                for n, email in enumerate(emails)
            ],
        )
        results[f"import {rows:,} assessments"] = time_import(browser, "/assessments/import/", assessments)
    return results


def last_page_url(browser: Browser, url: str) -> str:
    page = browser.get(url)
    match = re.search(r'href="(\?[^"]*at=last[^"]*)"', page.text)
    assert match, ("no last link", url)
    base = url.split("?", 1)[0]
    return base + match.group(1).replace("&amp;", "&")


def measure(url: str, size: int, scratch: Path) -> dict:
    """Start gunicorn on the size's database and time everything."""
    p = people(url)
    server = Server(url, scratch)
    server.start()
    server.start_worker()
    browsers: dict[str, Browser] = {}
    results: dict[str, dict] = {"pages": {}, "exports": {}, "imports": {}}
    try:
        signed_in = {}
        for who, email in (
            ("admin", ADMIN),
            ("assessor", p["assessor"]),
            ("reconciler", p["reconciler"]),
            ("candidate", p["chained_email"]),
            ("public", None),
        ):
            browsers[who] = Browser()
            if email:
                signed_in[who] = browsers[who].sign_in(email)
        # The sign-in itself: the first one after the start is the cold one.
        times = []
        for _attempt in range(REQUESTS):
            browser = Browser()
            times.append(browser.sign_in(p["candidate_email"]))
            browser.close()
        results["pages"]["sign-in (POST)"] = {"cold": signed_in["admin"], "warm": statistics.median(times)}
        for name, (who, page) in pages(p).items():
            browser = browsers[who]
            if page.startswith("last:"):
                page = last_page_url(browser, page.removeprefix("last:"))
            times = []
            for _attempt in range(REQUESTS + 1):
                started = time.perf_counter()
                response = browser.get(page)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    print(f"  {name}: {page} answered {response.status_code}", flush=True)
                    break
            results["pages"][name] = {"cold": times[0], "warm": statistics.median(times[1:] or times)}
            print(f"  {name}: cold {times[0]:,.0f} ms, warm {results['pages'][name]['warm']:,.0f} ms", flush=True)
        for name, export in EXPORTS.items():
            results["exports"][name] = time_export(browsers["admin"], export.format(**p))
            print(f"  {name}: {describe(results['exports'][name])}", flush=True)
        # A fresh server and worker, so that nothing left of the exports shares the processor
        # with the imports.
        server.stop()
        server.start()
        server.start_worker()
        browsers["admin"].close()
        browsers["admin"] = Browser()
        browsers["admin"].sign_in(ADMIN)
        results["imports"] = imports(browsers["admin"], p, size)
        for name, outcome in results["imports"].items():
            print(f"  {name}: {describe_import(outcome)}", flush=True)
    finally:
        for browser in browsers.values():
            browser.close()
        server.stop()
    return results


def describe(export: dict) -> str:
    """Seconds, size and how it ended: ``immediate`` (answered at once) or the job's final status."""
    job = f", {export['job']}" if "job" in export else ""
    if "status" in export:
        return f"answered {export['status']}{job}"
    if export["ms"] is None:
        if export.get("job") not in (None, "immediate", "done", "stopped"):
            return f"job {export['job']}"
        return f"stopped after {export['stopped_after_s']:.0f} s, {export['bytes'] / 1e6:,.1f} MB read{job}"
    return f"{export['ms'] / 1000:,.2f} s, {export['bytes'] / 1e6:,.1f} MB{job}"


def describe_import(outcome: dict) -> str:
    """Each step's seconds and how it ended; an import's job outcome as its page says it."""
    cells = []
    for step in ("check", "import"):
        if f"{step}_ms" not in outcome:
            continue
        cell = f"{step} {outcome[f'{step}_ms'] / 1000:,.1f} s"
        if outcome.get(f"{step}_job"):
            cell += f" ({outcome[f'{step}_job']})"
        cells.append(cell)
    text = ", ".join(cells)
    if "refused" in outcome:
        text += f" (refused: {outcome['refused']})"
    last = outcome.get("import_outcome") or outcome.get("check_outcome")
    if last:
        text += f": {last}"
    return text


# --- the table ------------------------------------------------------------------------------------


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}"


def table(runs: dict[int, dict]) -> str:
    sizes = sorted(runs)
    first, last = sizes[0], sizes[-1]
    header = ["page", *(f"{label(s)} warm" for s in sizes), f"{label(last)} cold", f"{label(last)}/{label(first)}", ""]
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 2) + "|---|"]
    for name in runs[first]["pages"]:
        warm = [runs[s]["pages"].get(name, {}).get("warm") for s in sizes]
        cold = runs[last]["pages"].get(name, {}).get("cold")
        ratio = warm[-1] / warm[0] if warm[0] and warm[-1] else None
        miss = []
        if warm[-1] is not None and warm[-1] > GOAL_MS:
            miss.append(f"> {GOAL_MS} ms")
        if ratio is not None and ratio > GOAL_RATIO:
            miss.append(f"> {GOAL_RATIO:g}×")
        cells = [f"{value:,.0f}" if value is not None else "–" for value in warm]
        cells.append(f"{cold:,.0f}" if cold is not None else "–")
        cells.append(f"{ratio:.1f}×" if ratio is not None else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'; '.join(miss) or 'ok'} |")
    lines.append("")
    lines.append("| export or import | " + " | ".join(label(s) for s in sizes) + " |")
    lines.append("|---" + "|---:" * len(sizes) + "|")
    for name in runs[first]["exports"]:
        lines.append(f"| {name} | " + " | ".join(describe(runs[s]["exports"][name]) for s in sizes) + " |")
    for name in runs[first]["imports"]:
        cells = [describe_import(runs[s]["imports"][name]) for s in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| generation (s) | " + " | ".join(label(s) for s in sizes) + " |")
    lines.append("|---" + "|---:" * len(sizes) + "|")
    for step in runs[last]["generation"]["seconds"]:
        cells = [f"{runs[s]['generation']['seconds'].get(step, 0):,.1f}" for s in sizes]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| rows | " + " | ".join(label(s) for s in sizes) + " |")
    lines.append("|---" + "|---:" * len(sizes) + "|")
    for name in runs[last]["generation"]["counts"]:
        cells = [f"{runs[s]['generation']['counts'][name]:,}" for s in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    runs: dict[int, dict] = {}
    scratch = Path(tempfile.mkdtemp(prefix="portal-bench-scale-"))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    try:
        for size in SIZES:
            print(f"{size:,} assessments: building", flush=True)
            generation = build(size)
            total = generation["seconds"]["total"] + generation["seconds"]["reports_rebuild"]
            print(f"  built in {total:,.0f} s (without the migrations)", flush=True)
            url = database_url(f"{DB_PREFIX}{size}")
            runs[size] = {"generation": generation, **measure(url, size, scratch)}
            OUTPUT.write_text(json.dumps(runs, indent=1))
            if not KEEP:
                psql(database_url("postgres"), f"DROP DATABASE {DB_PREFIX}{size}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(table(runs))
    print(f"\n(written to {OUTPUT})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["generate"]:
        generate_here(int(sys.argv[2]))
    elif sys.argv[1:2] == ["table"]:
        print(table({int(k): v for k, v in json.loads(Path(sys.argv[2]).read_text()).items()}))
    else:
        main()
