"""Backups that restore (docs/operations.md): a document issued before the backup still verifies
and downloads from a portal restored into a fresh database and a copy of the files.

The backup is taken as the operations guide says, database first, then the files and the keys; the
originals are then lost (the files deleted, the certificate revoked in the old database), so that
only the backup can answer. The restored portal is a web server of its own (gunicorn) on the
restored database and files; the holder signs in and downloads, the public verifier checks.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection

from certificates import services
from certificates.models import SupplementVersion

from . import flows
from .certificates.conftest import render
from .conftest import ON_CI
from .http_people import Person, Visitor, can_sign_in_elsewhere
from .object_store import Bucket
from .workers import WebServer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

KEYS = ("PORTAL_SEAL_PKCS12", "PORTAL_CREDENTIAL_KEY", "PORTAL_CREDENTIAL_RSA_KEY")


# --- The database -------------------------------------------------------------------------------


def postgres_tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing and ON_CI:
        pytest.fail(f"{', '.join(missing)} must be installed on CI")
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed")


def postgres_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def dump_database(folder: Path) -> Path:
    """pg_dump's custom format on PostgreSQL; SQLite's online backup of its file otherwise."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        dump = folder / "portal.dump"
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", postgres_url(name)], check=True)
        return dump
    dump = folder / "portal.sqlite3"
    with sqlite3.connect(name) as source, sqlite3.connect(dump) as target:
        source.backup(target)
    return dump


def administer(statement: str) -> None:
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
        admin.execute(statement)


def restore_database(dump: Path, folder: Path) -> tuple[str, str]:
    """A fresh database holding the dump: its URL, and its name on PostgreSQL."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restored"
        administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        administer(f'CREATE DATABASE "{name}"')
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={postgres_url(name)}", str(dump)], check=True
        )
        return postgres_url(name), name
    restored = folder / "restored.sqlite3"
    shutil.copyfile(dump, restored)
    return f"sqlite:///{restored}", ""


# --- The files ----------------------------------------------------------------------------------


class Folder:
    """MEDIA_ROOT, copied with its folders (rsync in the guide)."""

    def __init__(self, settings):
        self.root = Path(settings.MEDIA_ROOT)

    def back_up(self, backup: Path) -> Path:
        return Path(shutil.copytree(self.root, backup / "private"))

    def lose(self) -> None:
        shutil.rmtree(self.root)

    def restore(self, copy: Path, folder: Path) -> dict[str, str]:
        return {"MEDIA_ROOT": str(shutil.copytree(copy, folder / "private")), "S3_BUCKET": ""}


class ObjectStore:
    """A bucket, copied object by object into another bucket (aws s3 sync or rclone in the guide)."""

    def __init__(self, bucket: Bucket):
        self.bucket = bucket

    def back_up(self, backup: Path) -> Bucket:
        server, client = self.bucket.server, self.bucket.server.client()
        copy = Bucket(server, server.new_bucket(), self.bucket.prefix)
        for name in self.bucket.names():
            key = f"{self.bucket.prefix}/{name}"
            client.copy_object(Bucket=copy.name, Key=key, CopySource={"Bucket": self.bucket.name, "Key": key})
        return copy

    def lose(self) -> None:
        client = self.bucket.server.client()
        for name in self.bucket.names():
            client.delete_object(Bucket=self.bucket.name, Key=f"{self.bucket.prefix}/{name}")

    def restore(self, copy: Bucket, folder: Path) -> dict[str, str]:
        return {"MEDIA_ROOT": str(folder / "private"), **copy.server.environment(copy.name, copy.prefix)}


@pytest.fixture(params=["folder", pytest.param("object store", marks=pytest.mark.s3)])
def files(request, settings):
    if request.param == "folder":
        return Folder(settings)
    return ObjectStore(request.getfixturevalue("object_storage"))


# --- The test -----------------------------------------------------------------------------------


def test_a_document_issued_before_the_backup_verifies_and_downloads_after_the_restore(
    assessment, administrator, files, tmp_path
):
    if connection.vendor == "postgresql":
        postgres_tools()
    certificate = flows.certify(assessment).certificate
    version = render(certificate.versions.get())
    assert version.status == SupplementVersion.Status.READY, version.error
    with version.proof_file.open("rb") as handle:
        issued = handle.read()
    can_sign_in_elsewhere(assessment.candidate)

    backup = tmp_path / "backup"
    (backup / "keys").mkdir(parents=True)
    dump = dump_database(backup)
    copy = files.back_up(backup)
    keys = {key: shutil.copy(getattr(django_settings, key), backup / "keys") for key in KEYS}

    # The originals are lost; the old database now says something the backup does not.
    files.lose()
    services.certificate_revoke(certificate=certificate, actor=administrator, reason="After the backup")

    restored = tmp_path / "restored"
    restored.mkdir()
    url, name = restore_database(dump, restored)
    environment = {
        "DATABASE_URL": url,
        "PORTAL_VAR_DIR": str(restored / "var"),
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "CELERY_BROKER_FILESYSTEM_DIR": str(restored / "broker"),
        "PORTAL_BASE_URL": django_settings.PORTAL_BASE_URL,
        "PORTAL_SEAL_PASSPHRASE": django_settings.PORTAL_SEAL_PASSPHRASE,
        **{key: str(path) for key, path in keys.items()},
        **files.restore(copy, restored),
    }
    web = WebServer(environment, log=tmp_path / "restored-web.log", cwd=restored)
    try:
        holder = Person(web.url, assessment.candidate)
        downloaded = holder.get(f"/certificates/{certificate.pk}/supplements/1/proof/")
        credential = holder.get(f"/certificates/{certificate.pk}/credential.jwt")
        verifier = Visitor(web.url)
        pdf_verdict = verifier.post("/verify/check.json", files={"file": ("proof.pdf", issued)}).json()
        credential_verdict = verifier.post("/verify/check.json", files={"file": ("c.jwt", credential.content)}).json()
        by_number = verifier.get(f"/verify/number/?number={certificate.number}&code={certificate.verification_code}")
        register = verifier.get(by_number.headers.get("Location", "/verify/number/"))
    finally:
        web.stop()
        if name:
            administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    assert downloaded.status_code == 200 and downloaded.content == issued
    assert pdf_verdict["verdict"] == "valid", pdf_verdict
    passed = {check["check"] for check in pdf_verdict["checks"] if check["ok"]}
    assert passed == {"seal", "unchanged", "signature", "schema", "register", "document", "status"}
    assert credential.status_code == 200 and credential_verdict["verdict"] == "valid", credential_verdict
    assert by_number.status_code == 302 and register.status_code == 200
    page = register.text
    assert certificate.number in page and "alert-success" in page and "alert-danger" not in page
