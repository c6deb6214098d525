"""Benchmark of the certificate supplement: ``make bench``.

Reports, it never fails on a time. Machines are shared and noisy, so every figure is put next
to a reference measured in the same run:
- a warm worker's median render time for one supplement (a different holder each run, so the
  shared pages come from the worker's cache as in production), beside a warm headless Chromium
  (started once, as a worker would keep it) printing the very same document, in alternation so
  that both see the same load; the ratio is the figure to compare between runs. The single
  render of the whole document, as it was before the shared pages were kept, is shown too;
- a real Celery worker's throughput over N supplements, beside rendering them one after the
  other in a single process;
- what signing the credential, embedding it and sealing add to a render, as a ratio to the
  unsealed render measured in the same run (development seal and key made in the scratch folder).
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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
            # Playwright's synchronous API runs an event loop in this thread; the ORM calls stay synchronous.
            "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
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


def warm_renders(versions, scratch: Path) -> dict[str, list[float]]:
    """Seconds per run of the worker's render, the whole render and warm Chromium, in alternation.

    Every holder here shares one qualification, language pair and centre: the worker's render
    finds the shared pages in its cache, as all but the first supplement of a pair in a process
    do. The first one is timed apart (``first_of_a_pair``).
    """
    from certificates.rendering import render_supplement_pdf, render_whole_pdf

    chromium = ChromiumPrinter(versions[0], scratch) if Path(CHROMIUM).exists() else None
    render_supplement_pdf(versions[0])  # warm-up: fonts, style sheet and the shared pages
    times = {"composed": [], "whole": [], "chromium": []}
    for run in range(RUNS):
        version = versions[run % len(versions)]
        times["composed"].append(timed(render_supplement_pdf, version))
        times["whole"].append(timed(render_whole_pdf, version))
        if chromium:
            times["chromium"].append(timed(chromium.print))
    if chromium:
        chromium.close()
    return times


def first_of_a_pair(version) -> float:
    """The worker's render when the shared pages are not in its cache yet (fonts loaded)."""
    from certificates import composition
    from certificates.rendering import render_supplement_pdf

    composition.shared_pages.cache_clear()
    return timed(render_supplement_pdf, version)


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


class ChromiumPrinter:
    """Headless Chromium, started once and kept warm, printing the supplement's HTML to PDF.

    The very document WeasyPrint renders, with its style sheet and fonts linked from a copy of the
    static folder (the renderer is given the parsed style sheet, a browser reads it from the page).
    """

    def __init__(self, version, scratch: Path):
        from playwright.sync_api import sync_playwright

        from certificates.rendering import STATIC_DIR, supplement_html

        site = scratch / "site"
        shutil.copytree(STATIC_DIR / "certificates", site / "certificates", dirs_exist_ok=True)
        shutil.copytree(STATIC_DIR / "fonts", site / "fonts", dirs_exist_ok=True)
        self.page_file = site / "supplement.html"
        stylesheet = '<link rel="stylesheet" href="certificates/supplement.css">'
        self.page_file.write_text(supplement_html(version).replace("</head>", f"{stylesheet}</head>", 1))
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.page = self.browser.new_page()
        self.print()  # warm-up

    def print(self) -> bytes:
        self.page.goto(self.page_file.as_uri())
        # Tagged and with an outline, as the worker's PDF is.
        return self.page.pdf(prefer_css_page_size=True, print_background=True, tagged=True, outline=True)

    def close(self) -> None:
        self.browser.close()
        self.playwright.stop()


def sealing_cost(version) -> tuple[list[float], list[float], list[float]]:
    """Per run: the unsealed render, the credential signed and embedded, the seal (seconds)."""
    from certificates.credentials.embedding import credential_files, embed_credential
    from certificates.credentials.issuing import credential_issue
    from certificates.models import CertificateCredential
    from certificates.rendering import render_supplement_pdf
    from certificates.sealing import seal_pdf

    render_supplement_pdf(version)  # warm-up
    renders, credentials, seals = [], [], []
    for _run in range(RUNS):
        CertificateCredential.objects.filter(certificate=version.certificate).delete()  # sign afresh each run
        started = time.perf_counter()
        pdf = render_supplement_pdf(version)
        rendered = time.perf_counter()
        credential = credential_issue(certificate=version.certificate, languages=("nl", "en"))
        pdf = embed_credential(pdf, credential_files(credential.data_integrity.encode(), credential.jwt.encode()))
        embedded = time.perf_counter()
        seal_pdf(pdf)
        sealed = time.perf_counter()
        renders.append(rendered - started)
        credentials.append(embedded - rendered)
        seals.append(sealed - embedded)
    return renders, credentials, seals


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
        versions = certified_versions(SUPPLEMENTS + 2 + RUNS)
        sample, holders = versions[0], versions[:RUNS]
        warm_up, batch = versions[RUNS : RUNS + 2], versions[RUNS + 2 :]
        times = warm_renders(holders, scratch)
        composed, whole = statistics.median(times["composed"]), statistics.median(times["whole"])
        from django.conf import settings

        print(
            f"Supplement benchmark ({RUNS} runs each, medians; reference measured in the same run) on "
            f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, broker {settings.CELERY_BROKER_URL.split(':')[0]}"
        )
        print(
            f"  WeasyPrint, warm worker  {composed * 1000:7.0f} ms   "
            f"peak memory {weasyprint_peak_memory(sample.pk) / 1024:4.0f} MiB"
        )
        print(f"  WeasyPrint, whole render {whole * 1000:7.0f} ms   (one layout of every page, no shared pages)")
        print(
            f"  WeasyPrint, first of a language pair in a process {first_of_a_pair(sample) * 1000:7.0f} ms   "
            "(the shared pages laid out and kept)"
        )
        if times["chromium"]:
            chromium = statistics.median(times["chromium"])
            print(f"  Chromium, warm           {chromium * 1000:7.0f} ms   (same document, browser kept open)")
            print(
                f"  ratio to warm Chromium: warm worker {composed / chromium:.2f}, whole render {whole / chromium:.2f}"
            )
        else:
            print(f"  Chromium not found at {CHROMIUM}: no reference, no ratio")
        renders, credentials, seals = sealing_cost(sample)
        render_time = statistics.median(renders)
        print(f"  Unsealed render          {render_time * 1000:7.0f} ms   (reference for the two lines below)")
        print(
            f"  + credential signed and embedded {statistics.median(credentials) * 1000:6.0f} ms   "
            f"ratio to the render {statistics.median(credentials) / render_time:.3f}"
        )
        print(
            f"  + PAdES seal             {statistics.median(seals) * 1000:7.0f} ms   "
            f"ratio to the render {statistics.median(seals) / render_time:.3f}"
        )
        serial = (render_time + statistics.median(credentials) + statistics.median(seals)) * len(batch)
        first, elapsed = worker_throughput(warm_up, batch)
        print(
            f"  Worker (2 processes): {len(batch)} supplements in {elapsed:.1f} s = "
            f"{len(batch) / elapsed * 60:.0f} per minute, rendered, credential embedded and sealed; "
            f"ratio to one process doing the same in a row ({serial:.1f} s): {serial / elapsed:.2f}"
        )
        print(f"  (before them, each process's first supplement: {first:.1f} s for both, started together)")
    finally:
        drop_bench_database()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
