"""Benchmark of the certificate supplement: ``make bench``.

Reports, it never fails on a time. Machines are shared and noisy, so every figure is put next
to a reference measured in the same run:
- WeasyPrint's median render time and peak memory for one supplement, beside headless Chromium
  printing the very same HTML to PDF (the ratio is the figure to compare between runs);
- a real Celery worker's throughput over N supplements, beside rendering them one after the
  other in a single process;
- what signing the credential, embedding it and sealing add to a render, as a ratio to the
  unsealed render measured in the same run (development seal and key made in the scratch folder).
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SUPPLEMENTS = int(os.environ.get("BENCH_SUPPLEMENTS", "16"))
CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-pdf-header-footer",
    "--allow-file-access-from-files",
]


def setup_django(scratch: Path) -> None:
    os.environ.update(
        {
            "PORTAL_SEAL_PKCS12": str(scratch / "seal" / "seal.p12"),
            "PORTAL_SEAL_PASSPHRASE": "bench",
            "PORTAL_CREDENTIAL_KEY": str(scratch / "seal" / "credential-key.pem"),
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "PORTAL_VAR_DIR": str(scratch),
            "CELERY_BROKER_URL": "filesystem://localhost//",
            "CELERY_BROKER_FILESYSTEM_DIR": str(scratch / "broker"),
            "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}",
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


def peak_memory_of(command: list[str], **kwargs) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB, largest process) of a command run in a child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    elapsed = time.perf_counter() - started
    return elapsed, max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)


def weasyprint_in_process(version) -> list[float]:
    from certificates.rendering import render_supplement_pdf

    render_supplement_pdf(version)  # warm-up: fonts and stylesheets loaded once per process
    times = []
    for _run in range(RUNS):
        started = time.perf_counter()
        render_supplement_pdf(version)
        times.append(time.perf_counter() - started)
    return times


def sealing_cost(version) -> tuple[list[float], list[float], list[float]]:
    """Per run: the unsealed render, the credential signed and embedded, the seal (seconds)."""
    import json

    from certificates.credentials.embedding import embed_credential
    from certificates.credentials.issuing import credential_issue, enveloped
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
        pdf = embed_credential(pdf, json.dumps(enveloped(credential)).encode())
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


def chromium_reference(version, scratch: Path) -> tuple[list[float], int]:
    """The same HTML, with the same stylesheet and fonts, printed by headless Chromium."""
    from certificates.rendering import STATIC_DIR, supplement_html

    site = scratch / "site"
    shutil.copytree(STATIC_DIR / "certificates", site / "certificates")
    shutil.copytree(STATIC_DIR / "fonts", site / "fonts")
    page = site / "supplement.html"
    page.write_text(supplement_html(version))
    times, peak = [], 0
    for run in range(RUNS + 1):
        elapsed, memory = peak_memory_of(
            [
                CHROMIUM,
                *CHROMIUM_ARGS,
                f"--user-data-dir={scratch / f'profile-{run}'}",
                f"--print-to-pdf={scratch / 'chromium.pdf'}",
                page.as_uri(),
            ]
        )
        peak = max(peak, memory)
        if run:  # the first run is the warm-up, as for WeasyPrint
            times.append(elapsed)
    return times, peak


def worker_throughput(versions, scratch: Path) -> float:
    """Seconds for a real worker (2 processes) to render all versions from the file-system broker."""
    from certificates.models import SupplementVersion
    from certificates.services import send_to_worker

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
        time.sleep(4)  # let the worker start before the clock does
        started = time.perf_counter()
        for version in versions:
            send_to_worker(version.pk)
        ids = [v.pk for v in versions]
        while SupplementVersion.objects.filter(pk__in=ids, status="ready").count() < len(ids):
            if time.perf_counter() - started > 600:
                raise RuntimeError("the worker did not finish within 10 minutes")
            time.sleep(0.1)
        return time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        setup_django(scratch)
        versions = certified_versions(SUPPLEMENTS + 1)
        sample = versions[0]
        weasy = weasyprint_in_process(sample)
        weasy_peak = weasyprint_peak_memory(sample.pk)
        print(f"Supplement benchmark ({RUNS} runs each, medians; reference measured in the same run)")
        print(
            f"  WeasyPrint render      {statistics.median(weasy) * 1000:8.0f} ms   peak memory {weasy_peak / 1024:6.0f} MiB"
        )
        if Path(CHROMIUM).exists():
            chrome, chrome_peak = chromium_reference(sample, scratch)
            print(
                f"  Chromium print-to-pdf  {statistics.median(chrome) * 1000:8.0f} ms   "
                f"peak memory {chrome_peak / 1024:6.0f} MiB (largest process)"
            )
            print(
                f"  ratio WeasyPrint / Chromium: time {statistics.median(weasy) / statistics.median(chrome):.2f}, "
                f"memory {weasy_peak / chrome_peak:.2f}"
            )
        else:
            print(f"  Chromium not found at {CHROMIUM}: no reference, no ratio")
        renders, credentials, seals = sealing_cost(sample)
        render_time = statistics.median(renders)
        print(f"  Unsealed render        {render_time * 1000:8.0f} ms   (reference for the two lines below)")
        print(
            f"  + credential signed and embedded {statistics.median(credentials) * 1000:6.0f} ms   "
            f"ratio to the render {statistics.median(credentials) / render_time:.3f}"
        )
        print(
            f"  + PAdES seal           {statistics.median(seals) * 1000:8.0f} ms   "
            f"ratio to the render {statistics.median(seals) / render_time:.3f}"
        )
        batch = versions[1:]
        serial = statistics.median(weasy) * len(batch)
        elapsed = worker_throughput(batch, scratch)
        print(
            f"  Worker (2 processes): {len(batch)} supplements in {elapsed:.1f} s = "
            f"{len(batch) / elapsed * 60:.0f} per minute; "
            f"ratio to one process rendering them in a row ({serial:.1f} s): {serial / elapsed:.2f}"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
