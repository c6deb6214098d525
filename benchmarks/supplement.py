"""Benchmark of the certificate supplement: ``make bench``.

Reports, it never fails on a time. Machines are shared and noisy, so every figure is put next
to a reference measured in the same run: a warm headless Chromium (started once, as a worker
would keep it) printing the very same HTML to PDF, in alternation with the worker's code so that
both see the same load. The ratios are the figures to compare between runs, in wall-clock time
and in CPU time (``Clock``): on a busy machine the wall clock also counts the waits for a
processor, which the other work on it decides.

- the worker's whole pipeline for one supplement, as ``supplement_render`` runs it for a document:
  the render (a different holder each run, so the shared pages come from the worker's cache as in
  production), the credential signed (afresh: a holder's first document), then the credential
  attached, the PDF/A metadata kept in agreement and the seal, in one incremental update
  (development seal and keys made in the scratch folder); each stage beside Chromium too;
- the proof of professional qualification's pipeline (its credential already signed, as the
  worker finds it after the supplement), the single render of the whole supplement, as it was
  before the shared pages were kept, and the first supplement of a language pair in a process;
- a real Celery worker's throughput over N certificates (each a supplement and a proof), beside
  one process doing the same one after the other.
"""

import contextlib
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "9"))
SUPPLEMENTS = int(os.environ.get("BENCH_SUPPLEMENTS", "16"))
CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--allow-file-access-from-files"]


def setup_django(scratch: Path) -> None:
    os.environ.update(
        {
            "PORTAL_SEAL_PKCS12": str(scratch / "seal" / "seal.p12"),
            "PORTAL_SEAL_PASSPHRASE": "bench",
            "PORTAL_CREDENTIAL_KEY": str(scratch / "seal" / "credential-key.pem"),
            "PORTAL_CREDENTIAL_RSA_KEY": str(scratch / "seal" / "credential-rsa-key.pem"),
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "PORTAL_VAR_DIR": str(scratch),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or "filesystem://localhost//",
            "CELERY_BROKER_FILESYSTEM_DIR": str(scratch / "broker"),
            "DATABASE_URL": bench_database(scratch),
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", "qualification_0213", verbosity=0)
    from django.conf import settings

    from certificates import dev_keys

    dev_keys.ensure_seal(Path(settings.PORTAL_SEAL_PKCS12), passphrase="bench", common_name="Benchmark seal")
    dev_keys.ensure_credential_key(Path(settings.PORTAL_CREDENTIAL_KEY))
    dev_keys.ensure_credential_rsa_key(Path(settings.PORTAL_CREDENTIAL_RSA_KEY))


def bench_database(scratch: Path) -> str:
    """A throw-away database: ``bench_<name>`` beside a configured PostgreSQL one, else SQLite."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{scratch / 'bench.sqlite3'}"
    parts = urlsplit(configured)
    name = f"bench_{parts.path.lstrip('/') or 'portal'}"
    with maintenance_connection(configured) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def maintenance_connection(url: str):
    """PostgreSQL's own "postgres" database, from which others are created and dropped."""
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


def drop_bench_database() -> None:
    from django.conf import settings
    from django.db import connections

    url = os.environ.get("DATABASE_URL", "")
    if settings.configured and url.startswith(("postgres://", "postgresql://")):
        connections.close_all()
        with maintenance_connection(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def certified_versions(count: int) -> list:
    """``count`` certified assessments, each with its queued supplement version."""
    from django.db import transaction

    from certificates.models import IssuingCentre
    from qualifications.models import Qualification
    from tests import factories, flows

    qualification = Qualification.objects.get(code="0213")
    if not IssuingCentre.objects.current():
        factories.IssuingCentreFactory()
    versions = []
    with mock_broker():
        for _number in range(count):
            with transaction.atomic():
                assessment = flows.certify(factories.AssessmentFactory(qualification=qualification))
            versions.append(assessment.certificate.versions.get())
    return versions


class mock_broker:
    """Keep the set-up from sending tasks; the throughput run sends them itself."""

    def __enter__(self):
        from certificates import services

        self.services, self.original = services, services.send_to_worker
        services.send_to_worker = lambda version_id: True

    def __exit__(self, *exc):
        self.services.send_to_worker = self.original


class Clock:
    """Wall-clock and CPU seconds of what runs in its block: ``wall`` and ``cpu`` once it ends.

    The CPU time is this process's, or, given ``processes`` (a function naming them), theirs, as
    the scheduler counts it: on a shared machine a wall-clock time also counts the waits for a
    processor, which other work decides.
    """

    def __init__(self, processes=None):
        self.processes = processes

    def cpu_now(self) -> float:
        return time.process_time() if self.processes is None else on_cpu_seconds(self.processes())

    def __enter__(self):
        self.cpu_started = self.cpu_now()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.started
        self.cpu = self.cpu_now() - self.cpu_started


def on_cpu_seconds(pids) -> float:
    """The on-CPU time so far of the processes (all their threads), from the scheduler's statistics."""
    nanoseconds = 0
    for pid in pids:
        for schedstat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            with contextlib.suppress(OSError):
                nanoseconds += int(schedstat.read_text().split()[0])
    return nanoseconds / 1e9


def descendants(pid: int, named: str) -> list[int]:
    """The processes below ``pid`` whose command is ``named``."""
    parents, names = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
                names[int(entry.name)] = (entry / "comm").read_text().strip()
    found, below = [], [pid]
    while below:
        parent = below.pop()
        children = [child for child, its_parent in parents.items() if its_parent == parent]
        found += [child for child in children if names.get(child) == named]
        below += children
    return found


class Stages:
    """Wall-clock and CPU seconds each stage of the worker's pipeline took, recorded around the
    functions that ``packaging.supplement_finish`` calls, so that the whole is timed as the worker
    runs it."""

    def __init__(self):
        from certificates import packaging

        self.packaging = packaging
        self.originals = {name: getattr(packaging, name) for name in ("credential_issue", "seal_pdf")}
        self.last: dict[str, Clock] = {}

    def __enter__(self):
        for name, function in self.originals.items():
            setattr(self.packaging, name, self.timing(name, function))
        return self

    def __exit__(self, *exc):
        for name, function in self.originals.items():
            setattr(self.packaging, name, function)

    def timing(self, name, function):
        def timed_stage(*args, **kwargs):
            with Clock() as self.last[name]:
                return function(*args, **kwargs)

        return timed_stage


def pipeline(version, render, stages: Stages) -> dict[str, Clock]:
    """One document through the worker's pipeline: rendered, then ``supplement_finish``."""
    from certificates.packaging import supplement_finish

    with Clock() as whole:
        with Clock() as rendering:
            pdf = render(version)
        supplement_finish(version, pdf)
    return {"whole": whole, "render": rendering, **stages.last}


def warm_runs(holders, warm_up, scratch: Path) -> dict[str, list[Clock]]:
    """The times of each run of the worker's pipeline (a supplement, then the proof), the whole
    render and warm Chromium, in alternation.

    Every holder here shares one qualification, language pair and centre: the worker's render
    finds the shared pages in its cache, as all but the first supplement of a pair in a process
    do. The first one is timed apart (``first_of_a_pair``). Each holder's credential is signed by
    its supplement's pipeline, as the worker signs it with a certificate's first document.
    """
    from certificates.rendering import render_proof_pdf, render_supplement_pdf, render_whole_pdf

    chromium = ChromiumPrinter(holders[0], scratch) if Path(CHROMIUM).exists() else None
    times = defaultdict(list)
    with Stages() as stages:
        pipeline(warm_up, render_supplement_pdf, stages)  # fonts, style sheet, shared pages, keys, contexts
        pipeline(warm_up, render_proof_pdf, stages)
        for run in range(RUNS):
            version = holders[run % len(holders)]
            for stage, clock in pipeline(version, render_supplement_pdf, stages).items():
                times[stage].append(clock)
            if chromium:
                times["chromium"].append(chromium.print())
            times["proof"].append(pipeline(version, render_proof_pdf, stages)["whole"])
            times["whole render"].append(timed(render_whole_pdf, version))
    if chromium:
        chromium.close()
    return times


def first_of_a_pair(version) -> Clock:
    """The worker's render when the shared pages are not in its cache yet (fonts loaded)."""
    from certificates import composition
    from certificates.rendering import render_supplement_pdf

    composition.shared_pages.cache_clear()
    return timed(render_supplement_pdf, version)


def timed(function, *args) -> Clock:
    with Clock() as clock:
        function(*args)
    return clock


class ChromiumPrinter:
    """Headless Chromium, started once and kept warm, printing the supplement's HTML to PDF.

    The very document WeasyPrint renders, with its style sheet and fonts linked from a copy of the
    static folder (the renderer is given the parsed style sheet, a browser reads it from the page).
    Playwright's synchronous API keeps an event loop running in the thread that starts it, where
    pyHanko could not start its own: the browser is driven from a thread of its own, and the
    benchmark waits for each print.
    """

    def __init__(self, version, scratch: Path):
        from certificates.rendering import STATIC_DIR, supplement_html

        site = scratch / "site"
        shutil.copytree(STATIC_DIR / "certificates", site / "certificates", dirs_exist_ok=True)
        shutil.copytree(STATIC_DIR / "fonts", site / "fonts", dirs_exist_ok=True)
        self.page_file = site / "supplement.html"
        stylesheet = '<link rel="stylesheet" href="certificates/supplement.css">'
        self.page_file.write_text(supplement_html(version).replace("</head>", f"{stylesheet}</head>", 1))
        self.requests, self.results = queue.Queue(), queue.Queue()
        threading.Thread(target=self.serve, daemon=True).start()
        self.result()  # started, and printed once to warm up

    def serve(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                while True:
                    page.goto(self.page_file.as_uri())
                    # Tagged and with an outline, as the worker's PDF is.
                    page.pdf(prefer_css_page_size=True, print_background=True, tagged=True, outline=True)
                    self.results.put(None)
                    if not self.requests.get():
                        break
                browser.close()
        except Exception as error:  # noqa: BLE001 (raised again in the benchmark's thread)
            self.results.put(error)

    def result(self) -> None:
        error = self.results.get()
        if error is not None:
            raise error

    def print(self) -> Clock:
        """One print, timed: its CPU time is the browser's processes' (its driver's is left out)."""
        with Clock(processes=lambda: descendants(os.getpid(), "chromium")) as clock:
            self.requests.put(True)
            self.result()
        return clock

    def close(self) -> None:
        self.requests.put(False)


def weasyprint_peak_memory(version_id: int) -> int:
    script = (
        "import django, resource; django.setup();"
        "from certificates.models import SupplementVersion;"
        "from certificates.rendering import render_supplement_pdf;"
        f"render_supplement_pdf(SupplementVersion.objects.get(pk={version_id}));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=os.environ, check=True, capture_output=True, text=True
    ).stdout
    return int(output.strip().splitlines()[-1])


def worker_throughput(warm_up, versions) -> tuple[float, float]:
    """Seconds for a real worker (2 processes) to render, embed and seal all versions.

    On the configured broker (Redis when ``CELERY_BROKER_URL`` names it, as in production), else
    on the file-system broker, which looks for new messages once a second.
    """
    from portal.celery import app

    app.control.purge()  # the e-mails the set-up queued are not part of the measure

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--concurrency=2",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Each process's first supplement imports the renderer, loads the fonts and lays out the
        # shared pages: timed apart, then the steady state.
        return rendered_by_worker(warm_up), rendered_by_worker(versions)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def rendered_by_worker(versions) -> float:
    """Seconds from sending the versions to the worker until all of them are ready."""
    from certificates.models import SupplementVersion
    from certificates.services import send_to_worker

    started = time.perf_counter()
    for version in versions:
        send_to_worker(version.pk)
    ids = [version.pk for version in versions]
    while SupplementVersion.objects.filter(pk__in=ids, status="ready").count() < len(ids):
        if time.perf_counter() - started > 600:
            raise RuntimeError("the worker did not finish within 10 minutes")
        time.sleep(0.05)
    return time.perf_counter() - started


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        setup_django(scratch)
        versions = certified_versions(SUPPLEMENTS + 3 + RUNS)
        sample, holders = versions[0], versions[1 : RUNS + 1]
        warm_up, batch = versions[RUNS + 1 : RUNS + 3], versions[RUNS + 3 :]
        runs = warm_runs(holders, sample, scratch)
        wall = {stage: statistics.median(clock.wall for clock in clocks) for stage, clocks in runs.items()}
        cpu = {stage: statistics.median(clock.cpu for clock in clocks) for stage, clocks in runs.items()}
        from django.conf import settings

        print(
            f"Supplement benchmark ({RUNS} runs each, medians; Chromium in alternation in the same run) on "
            f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, broker {settings.CELERY_BROKER_URL.split(':')[0]}"
        )
        if "chromium" not in wall:
            print(f"  Chromium not found at {CHROMIUM}: no reference, no ratio")
        print(f"  {'':<56}  {'wall clock':>19}  {'CPU':>19}")

        def line(label: str, stage: str) -> None:
            figures = []
            for medians in (wall, cpu):
                reference = medians.get("chromium")
                ratio = f"{medians[stage] / reference:5.2f}×" if reference else ""
                figures.append(f"{medians[stage] * 1000:6.0f} ms {ratio:>9}")
            print(f"  {label:<56}  {'  '.join(figures)}")

        if "chromium" in wall:
            line("Chromium, warm: the same HTML printed to PDF", "chromium")
        line("Supplement, the worker's whole pipeline", "whole")
        line("  render (WeasyPrint, shared pages from the cache)", "render")
        line("  credential signed (VC-JWT and Data Integrity proof)", "credential_issue")
        line("  credential attached, PDF/A metadata, seal (one update)", "seal_pdf")
        line("Proof of professional qualification, whole pipeline", "proof")
        line("WeasyPrint, whole render (one layout, no shared pages)", "whole render")
        first_render = first_of_a_pair(sample)
        wall["first of a pair"], cpu["first of a pair"] = first_render.wall, first_render.cpu
        line("WeasyPrint, first of a language pair in a process", "first of a pair")
        print(
            "  (ratios to Chromium; Chromium's CPU time is its processes' together; the proof's credential is signed "
            "already, as the worker finds it after the supplement)"
        )
        print(f"  WeasyPrint peak memory {weasyprint_peak_memory(sample.pk) / 1024:.0f} MiB")
        serial = (wall["whole"] + wall["proof"]) * len(batch)
        first, elapsed = worker_throughput(warm_up, batch)
        print(
            f"  Worker (2 processes): {len(batch)} certificates in {elapsed:.1f} s = "
            f"{len(batch) / elapsed * 60:.0f} per minute, each a supplement and a proof rendered, credential embedded "
            f"and sealed; ratio to one process doing the same in a row ({serial:.1f} s): {serial / elapsed:.2f}"
        )
        print(f"  (before them, each process's first certificate: {first:.1f} s for both, started together)")
    finally:
        drop_bench_database()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
