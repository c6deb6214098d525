"""Two machines: the web server and the worker share only the database, Redis and the object store.

Each runs as a process of its own, started in an empty folder of its own with a MEDIA_ROOT of its
own, as on two machines (decision 0030). Everything crosses between them through HTTP, the broker
and the S3 server: the candidate's upload, the assessors' scoring up to the certification, the
render in the worker and the download from the web server. The database is the test database:
PostgreSQL when the suite runs on it (as on CI), otherwise its SQLite file.
"""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from assessments.models import Observation, PortfolioItem
from certificates.models import SupplementVersion

from . import factories, samples
from .conftest import REDIS_URL, require_service
from .http_people import Person, Visitor, can_sign_in_elsewhere
from .object_store import Bucket
from .workers import WebServer, Worker, broker, database_url, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.s3, pytest.mark.django_db(transaction=True)]


def machine(folder: Path) -> dict[str, str]:
    """What one machine keeps to itself: an empty working folder and a MEDIA_ROOT in it."""
    (folder / "tmp").mkdir(parents=True)
    return {
        "PORTAL_VAR_DIR": str(folder / "var"),
        "MEDIA_ROOT": str(folder / "media"),
        "CELERY_BROKER_FILESYSTEM_DIR": str(folder / "broker"),
        "TMPDIR": str(folder / "tmp"),
    }


def files_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def score_everything_proven(person: Person, assessment, *, observation: bytes | None = None):
    competencies = list(assessment.qualification.competencies.order_by("order"))
    data = {f"c{competency.pk}-proven": "yes" for competency in competencies}
    files = {f"c{competencies[0].pk}-observation": ("observation.pdf", observation)} if observation else None
    return person.post(f"/assessments/{assessment.pk}/score-sheet/", {**data, "submit": ""}, files)


def ready_version(assessment):
    return SupplementVersion.objects.filter(
        certificate__assessment=assessment, status=SupplementVersion.Status.READY
    ).first()


def test_upload_certification_render_and_download_across_two_machines(qualification, tmp_path, s3_server, settings):
    require_service("Redis", REDIS_URL)
    bucket = Bucket(s3_server, s3_server.bucket, "two-machines")
    shared = {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "PORTAL_BASE_URL": django_settings.PORTAL_BASE_URL,
        # The seal and the keys are configuration, given to both machines; never shared files.
        "PORTAL_SEAL_PKCS12": django_settings.PORTAL_SEAL_PKCS12,
        "PORTAL_SEAL_PASSPHRASE": django_settings.PORTAL_SEAL_PASSPHRASE,
        "PORTAL_CREDENTIAL_KEY": django_settings.PORTAL_CREDENTIAL_KEY,
        "PORTAL_CREDENTIAL_RSA_KEY": django_settings.PORTAL_CREDENTIAL_RSA_KEY,
        **s3_server.environment(bucket.name, bucket.prefix),
    }
    web_folder, worker_folder = tmp_path / "web", tmp_path / "worker"
    assessment = factories.AssessmentFactory(qualification=qualification)
    for user in (assessment.candidate, assessment.first_assessor, assessment.second_assessor):
        can_sign_in_elsewhere(user)

    with broker(REDIS_URL, tmp_path / "test-broker"):
        web = WebServer({**shared, **machine(web_folder)}, log=tmp_path / "web.log", cwd=web_folder)
        worker = Worker(
            REDIS_URL,
            tmp_path / "worker-broker",
            log=tmp_path / "worker.log",
            cwd=worker_folder,
            env={**shared, **machine(worker_folder)},
        )
        try:
            candidate = Person(web.url, assessment.candidate)
            first = Person(web.url, assessment.first_assessor)
            second = Person(web.url, assessment.second_assessor)

            letter = samples.pdf_bytes()
            competency = qualification.competencies.get(order=1)
            added = candidate.post(
                f"/assessments/{assessment.pk}/portfolio/add/",
                {"description": "Reference letter", "competencies": [competency.pk]},
                {"file": ("Reference letter.pdf", letter, "application/pdf")},
            )
            assert added.status_code == 302, added.text[-3000:]
            item = PortfolioItem.objects.get(assessment=assessment)

            assert first.post(f"/assessments/{assessment.pk}/start/").status_code == 302
            assert first.post(f"/assessments/{assessment.pk}/end/").status_code == 302
            assert score_everything_proven(first, assessment, observation=samples.MINIMAL_PDF).status_code == 302
            portfolio_file = first.get(f"/assessments/{assessment.pk}/portfolio/{item.pk}/download/")
            assert portfolio_file.status_code == 200 and portfolio_file.content == letter
            assert score_everything_proven(second, assessment).status_code == 302  # certified: queued on commit

            try:
                version = wait_for(lambda: ready_version(assessment), timeout=180, message="the rendered documents")
            except AssertionError:
                raise AssertionError(worker.output()[-5000:]) from None
            documents = f"/certificates/{version.certificate_id}/supplements/{version.number}/"
            proof = candidate.get(f"{documents}proof/")
            supplement = candidate.get(f"{documents}download/")
            verdicts = [
                Visitor(web.url).post("/verify/check.json", files={"file": ("proof.pdf", pdf)}).json()
                for pdf in (proof.content, supplement.content)
            ]
        finally:
            worker.stop()
            web.stop()

    assert proof.status_code == 200 and proof.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(proof.content).hexdigest() == version.proof_sha256
    assert hashlib.sha256(supplement.content).hexdigest() == version.sha256
    assert proof.content == bucket.read(version.proof_file.name) and proof.content.startswith(b"%PDF-")
    for verdict in verdicts:
        assert verdict["verdict"] == "valid", verdict
        assert {check["check"] for check in verdict["checks"] if check["ok"]} >= {"seal", "unchanged", "register"}
    assert "certificates.tasks.render_supplement" in worker.output() and " succeeded in " in worker.output()

    observation = Observation.objects.get(judgement__sheet__assessment=assessment)
    assert bucket.names() == sorted([item.file.name, observation.file.name, version.file.name, version.proof_file.name])
    # Nothing was written on either machine: every file went to the object store.
    assert (files_in(web_folder), files_in(worker_folder)) == ([], [])
