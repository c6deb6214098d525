"""Private files in an S3-compatible object store (decision 0030), against a real S3 endpoint:
moto's server on 127.0.0.1 (tests/object_store.py). Every file the portal keeps goes there, is
read back through the portal's access checks and audit, and is never readable without its keys."""

import hashlib
import io
import runpy
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db.models import FileField

from assessments.models import Observation, PortfolioItem
from audit.models import AuditEntry
from certificates.models import SupplementVersion
from portal import kept_uploads
from portal import settings as settings_package
from portal.object_storage import PrivateObjectStorage
from portal.storage import private_storage

from . import factories, flows, samples
from .certificates.conftest import render
from .certificates.sealing_helpers import check

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

EVERYONE = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


def anonymous_get(url: str) -> int:
    """The status a browser (or anyone without the keys) gets for an object's address."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def nothing_on_disk(settings) -> bool:
    folder = Path(settings.MEDIA_ROOT)
    return not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))


# --- The setting ------------------------------------------------------------------------------


def configured_storages(monkeypatch, **environment) -> dict:
    """STORAGES as portal/settings/base.py makes them from this environment."""
    for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings_package.__file__).parent / "base.py"))["STORAGES"]


def test_without_configuration_private_files_are_a_local_folder(monkeypatch):
    storages = configured_storages(monkeypatch)
    assert storages["private"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storages["default"] == storages["private"]


def test_a_bucket_in_the_environment_puts_private_files_in_the_object_store(monkeypatch):
    storages = configured_storages(
        monkeypatch, S3_BUCKET="portal", S3_ENDPOINT_URL="https://s3.example.org", S3_REGION="eu", S3_PREFIX="/files/"
    )
    assert storages["private"]["BACKEND"] == "portal.object_storage.PrivateObjectStorage"
    options = storages["private"]["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"], options["location"]) == (
        "portal",
        "https://s3.example.org",
        "eu",
        "files",
    )
    assert storages["default"] == storages["private"]


def test_every_file_field_keeps_its_files_in_the_private_storage():
    fields = [
        field for model in apps.get_models() for field in model._meta.get_fields() if isinstance(field, FileField)
    ]
    assert {f"{field.model.__name__}.{field.name}" for field in fields} >= {
        "PortfolioItem.file",
        "Observation.file",
        "SupplementVersion.file",
        "SupplementVersion.proof_file",
    }
    assert all(field.storage is private_storage for field in fields)


@pytest.mark.parametrize(
    "setting",
    [{"default_acl": "public-read"}, {"default_acl": "authenticated-read"}, {"querystring_auth": False}],
)
def test_the_object_store_refuses_settings_that_would_make_files_public(s3_server, setting):
    with pytest.raises(ImproperlyConfigured):
        PrivateObjectStorage(**{**s3_server.options(s3_server.bucket), **setting})


# --- Storing, reading, deleting -------------------------------------------------------------------


def test_a_file_is_stored_read_back_and_deleted_in_the_bucket(object_storage, settings):
    name = private_storage.save("supplements/letter.pdf", ContentFile(b"%PDF-1.7 letter"))
    assert object_storage.names() == [name] and object_storage.read(name) == b"%PDF-1.7 letter"
    assert private_storage.exists(name) and private_storage.size(name) == 15
    with private_storage.open(name, "rb") as handle:
        assert handle.read() == b"%PDF-1.7 letter"
    private_storage.delete(name)
    assert object_storage.names() == [] and not private_storage.exists(name)
    assert nothing_on_disk(settings)


def test_a_name_already_taken_gets_another_name_and_both_files_stay(object_storage):
    first = private_storage.save("proofs/same.pdf", ContentFile(b"first"))
    second = private_storage.save("proofs/same.pdf", ContentFile(b"second"))
    assert first != second
    assert (object_storage.read(first), object_storage.read(second)) == (b"first", b"second")


def test_a_missing_object_is_a_missing_file(object_storage):
    with pytest.raises(FileNotFoundError):
        private_storage.open("supplements/gone.pdf", "rb")


# --- Privacy ------------------------------------------------------------------------------------


def test_an_object_cannot_be_read_without_the_portals_keys(object_storage):
    name = private_storage.save("portfolio/cv", ContentFile(b"personal"))
    assert anonymous_get(object_storage.url(name)) == 403
    # The same request reads an object that was made public: the refusal above is the ACL's.
    client = object_storage.server.client()
    client.put_object(Bucket=object_storage.name, Key=f"{object_storage.prefix}/public", Body=b"x", ACL="public-read")
    assert anonymous_get(object_storage.url("public")) == 200


def test_objects_grant_nothing_to_anyone_but_the_owner(object_storage):
    name = private_storage.save("observations/photo", ContentFile(b"personal"))
    acl = object_storage.server.client().get_object_acl(
        Bucket=object_storage.name, Key=f"{object_storage.prefix}/{name}"
    )
    grantees = {grant["Grantee"].get("URI") for grant in acl["Grants"]} - {None}
    assert not grantees & EVERYONE
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]


def test_an_object_has_no_address_to_hand_out(object_storage):
    name = private_storage.save("portfolio/cv", ContentFile(b"personal"))
    with pytest.raises(ValueError, match="no address"):
        private_storage.url(name)


def test_the_admin_shows_a_portfolio_item_without_a_link_to_its_file(client, assessment, object_storage):
    item = PortfolioItem.objects.create(
        assessment=assessment,
        file=ContentFile(b"%PDF-1.7 personal", name="cv.pdf"),
        original_name="cv.pdf",
        content_type="application/pdf",
        size=17,
        sha256="0" * 64,
    )
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/assessments/portfolioitem/{item.pk}/change/")
    assert page.status_code == 200 and "cv.pdf" in page.text
    assert item.file.name not in page.text and "X-Amz" not in page.text


# --- Through the portal's pages ------------------------------------------------------------------


def portfolio_url(assessment, what: str = "add/") -> str:
    return f"/assessments/{assessment.pk}/portfolio/{what}"


def test_a_portfolio_file_goes_to_the_bucket_and_comes_back_through_the_access_check(
    client, assessment, object_storage, settings, django_capture_on_commit_callbacks
):
    client.force_login(assessment.candidate)
    competency = assessment.qualification.competencies.get(order=1)
    added = client.post(
        portfolio_url(assessment),
        {"file": samples.pdf("Reference letter.pdf"), "description": "Letter", "competencies": [competency.pk]},
    )
    assert added.status_code == 302
    item = PortfolioItem.objects.get()
    assert object_storage.names() == [item.file.name]
    assert object_storage.read(item.file.name) == samples.MINIMAL_PDF and nothing_on_disk(settings)

    client.force_login(assessment.first_assessor)
    download = client.get(portfolio_url(assessment, f"{item.pk}/download/"))
    assert download.status_code == 200 and download.streaming  # streamed, not a redirect to the store
    assert b"".join(download.streaming_content) == samples.MINIMAL_PDF
    assert AuditEntry.objects.filter(action="file_downloaded", actor=assessment.first_assessor).count() == 1

    client.force_login(assessment.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(portfolio_url(assessment, f"{item.pk}/withdraw/"))
    assert object_storage.names() == []


def test_a_file_gone_from_the_bucket_is_a_404_and_no_download_is_recorded(client, assessment, object_storage):
    client.force_login(assessment.candidate)
    competency = assessment.qualification.competencies.get(order=1)
    client.post(portfolio_url(assessment), {"file": samples.pdf(), "description": "x", "competencies": [competency.pk]})
    item = PortfolioItem.objects.get()
    object_storage.server.client().delete_object(
        Bucket=object_storage.name, Key=f"{object_storage.prefix}/{item.file.name}"
    )
    client.force_login(assessment.first_assessor)
    assert client.get(portfolio_url(assessment, f"{item.pk}/download/")).status_code == 404
    assert not AuditEntry.objects.filter(action="file_downloaded").exists()


def test_an_observation_goes_to_the_bucket_and_downloads(client, assessment, object_storage, settings):
    flows.start(assessment)
    competency = assessment.qualification.competencies.get(order=2)
    client.force_login(assessment.first_assessor)
    saved = client.post(
        f"/assessments/{assessment.pk}/score-sheet/",
        {f"c{competency.pk}-observation": samples.pdf("obs.pdf"), "save": ""},
    )
    assert saved.status_code == 302
    observation = Observation.objects.get()
    assert object_storage.names() == [observation.file.name] and nothing_on_disk(settings)
    download = client.get(f"/assessments/{assessment.pk}/observations/{observation.pk}/download/")
    assert b"".join(download.streaming_content) == samples.MINIMAL_PDF


def test_a_kept_upload_waits_in_the_bucket_and_is_swept_from_it(client, assessment, object_storage, settings):
    client.force_login(assessment.candidate)
    client.post(portfolio_url(assessment), {"file": samples.pdf("first.pdf"), "description": "no competency"})
    [kept] = object_storage.names()
    assert kept.startswith("kept-uploads/")
    settings.PORTFOLIO_KEPT_UPLOAD_SECONDS = 0  # every kept file is now too old
    time.sleep(1)  # the store dates objects to the second
    cache.delete(kept_uploads.SWEPT_KEY)  # the pause between two sweeps is over
    other = type(client)()
    other.force_login(assessment.candidate)
    other.post(portfolio_url(assessment), {"file": samples.pdf("second.pdf"), "description": "no competency"})
    [left] = object_storage.names()
    assert left != kept and left.startswith("kept-uploads/")


def test_kept_uploads_are_swept_at_most_once_in_a_while(client, assessment, object_storage, settings):
    client.force_login(assessment.candidate)
    client.post(portfolio_url(assessment), {"file": samples.pdf("first.pdf"), "description": "no competency"})
    settings.PORTFOLIO_KEPT_UPLOAD_SECONDS = 0
    time.sleep(1)
    other = type(client)()
    other.force_login(assessment.candidate)
    other.post(portfolio_url(assessment), {"file": samples.pdf("second.pdf"), "description": "no competency"})
    assert len(object_storage.names()) == 2  # listing the bucket waits for the next sweep


def test_rendered_documents_go_to_the_bucket_and_download_and_verify(client, assessment, object_storage, settings):
    certificate = flows.certify(assessment).certificate
    version = render(certificate.versions.get())
    assert version.status == SupplementVersion.Status.READY, version.error
    assert object_storage.names() == sorted([version.file.name, version.proof_file.name])
    assert nothing_on_disk(settings)
    proof = object_storage.read(version.proof_file.name)
    assert hashlib.sha256(proof).hexdigest() == version.proof_sha256

    client.force_login(assessment.candidate)
    base = f"/certificates/{certificate.pk}/supplements/1/"
    downloaded = b"".join(client.get(f"{base}proof/").streaming_content)
    assert downloaded == proof
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(f"{base}documents.zip").streaming_content)))
    assert sorted(archive.read(name) for name in archive.namelist()) == sorted(
        [proof, object_storage.read(version.file.name)]
    )
    assert check(client, downloaded).json()["verdict"] == "valid"
