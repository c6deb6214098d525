"""The PAdES seal on the supplement and the credential embedded in it (PDF/A-3 associated file)."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import x509
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from certificates import sealing
from certificates.credentials import signing
from certificates.credentials.embedding import embedded_credential
from certificates.models import SealCertificate, SupplementVersion
from certificates.rendering import render_supplement_pdf

from ..test_deployment import PRODUCTION_ENV, manage
from .conftest import render
from .sealing_helpers import make_seal

pytestmark = pytest.mark.django_db


def signature_of(path) -> tuple[PdfFileReader, object]:
    reader = PdfFileReader(BytesIO(Path(path).read_bytes()))
    assert len(reader.embedded_signatures) == 1
    return reader, reader.embedded_signatures[0]


def test_pyhanko_validates_the_seal_as_intact_trusted_and_covering_the_whole_file(rendered):
    seal = sealing.configured_seal()
    _reader, signature = signature_of(rendered.file.path)
    context = ValidationContext(trust_roots=[seal.certificate], allow_fetching=False)
    status = validate_pdf_signature(signature, signer_validation_context=context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Portal test seal"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert SealCertificate.objects.get().fingerprint == seal.fingerprint


def test_a_seal_nobody_trusts_is_not_trusted_by_pyhanko(rendered, tmp_path):
    foreign = sealing._load_seal(str(make_seal(tmp_path, name="Someone else")), 0, "pass")
    _reader, signature = signature_of(rendered.file.path)
    context = ValidationContext(trust_roots=[foreign.certificate], allow_fetching=False)
    status = validate_pdf_signature(signature, signer_validation_context=context)
    assert status.intact and not status.trusted


def test_the_seal_is_an_incremental_update_and_the_pdf_stays_pdf_a_3b(rendered):
    data = Path(rendered.file.path).read_bytes()
    reader, signature = signature_of(rendered.file.path)
    assert data.startswith(b"%PDF-1.7") and data.count(b"%%EOF") == 3  # rendering, credential, seal
    assert reader.xrefs.total_revisions == 3
    assert signature.signed_revision == 2
    assert "/Version" not in reader.root  # no PDF 2.0 declared
    xmp = reader.root["/Metadata"].data.decode()
    assert re.search(r"pdfaid:part[^0-9]*3", xmp) and re.search(r"pdfaid:conformance[^A-Z]*B", xmp)
    annotation = next(
        a.get_object()
        for a in reader.root["/Pages"]["/Kids"][0].get_object()["/Annots"]
        if a.get_object().get("/FT") == "/Sig"
    )
    assert int(annotation["/F"]) & 4  # printable, as PDF/A asks of every annotation


def test_the_credential_is_embedded_in_both_forms_as_associated_files_under_the_seal(rendered):
    reader, signature = signature_of(rendered.file.path)
    specs = {str(item.get_object()["/UF"]): item.get_object() for item in reader.root["/AF"]}
    assert sorted(specs) == ["credential.json", "credential.jwt"]
    subtypes = {name: spec["/EF"]["/F"].get_object()["/Subtype"] for name, spec in specs.items()}
    assert subtypes == {"credential.json": "/application/json", "credential.jwt": "/application/jwt"}
    assert all(spec["/AFRelationship"] == "/Data" for spec in specs.values())
    assert "/ModDate" in specs["credential.json"]["/EF"]["/F"].get_object()["/Params"]
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert [str(names[0]), str(names[2])] == ["credential.json", "credential.jwt"]
    credential = rendered.certificate.credential
    assert embedded_credential(reader).decode() == credential.data_integrity
    assert specs["credential.jwt"]["/EF"]["/F"].get_object().data.decode() == credential.jwt
    assert signature.evaluate_signature_coverage() == SignatureCoverageLevel.ENTIRE_FILE  # covers the attachments


def pdf_text(version: SupplementVersion) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(version.file.path).pages))


def test_a_test_seal_says_so_on_the_supplement_in_both_languages(rendered):
    text = pdf_text(rendered)
    assert "TEST SEAL: this document was sealed with a development seal" in text
    assert "TESTZEGEL" in text  # the Dutch half


def test_a_real_seal_prints_no_test_notice(settings, certificate, tmp_path):
    settings.PORTAL_SEAL_PKCS12 = str(make_seal(tmp_path, name="Test centre seal", test_seal=False))
    settings.PORTAL_SEAL_PASSPHRASE = "pass"
    version = render(certificate.versions.get())
    assert "TEST SEAL" not in pdf_text(version)
    assert PdfFileReader(BytesIO(Path(version.file.path).read_bytes())).embedded_signatures


def test_without_a_seal_the_supplement_is_not_sealed(settings, certificate):
    settings.PORTAL_SEAL_PKCS12 = ""
    version = render(certificate.versions.get())
    reader = PdfFileReader(BytesIO(Path(version.file.path).read_bytes()))
    assert not reader.embedded_signatures
    assert "TEST SEAL" not in pdf_text(version)


def test_a_wrong_passphrase_fails_the_rendering_with_the_reason(settings, certificate):
    settings.PORTAL_SEAL_PASSPHRASE = "not-the-passphrase"
    with pytest.raises(ValueError, match="cannot be opened"):
        render(certificate.versions.get())
    version = certificate.versions.get()
    assert version.status == SupplementVersion.Status.FAILED and "passphrase" in version.error


def test_a_timestamp_server_makes_the_seal_pades_b_t(rendered, settings):
    settings.PORTAL_SEAL_TSA_URL = "http://tsa.invalid/"  # configured, but the test stamps locally
    assert sealing._timestamper().url == "http://tsa.invalid/"
    seal = sealing.configured_seal()
    stamper = DummyTimeStamper(tsa_cert=x509.Certificate.load(seal.certificate.dump()), tsa_key=seal.signer.signing_key)
    unsealed = render_supplement_pdf(rendered)
    sealed = sealing.seal_pdf(unsealed, timestamper=stamper)
    signature = PdfFileReader(BytesIO(sealed)).embedded_signatures[-1]
    context = ValidationContext(trust_roots=[seal.certificate], allow_fetching=False)
    status = validate_pdf_signature(signature, signer_validation_context=context)
    assert status.intact and status.valid and status.timestamp_validity is not None


def test_production_refuses_to_start_without_a_seal_unless_unsealed_output_is_chosen():
    refused = manage("check", env={**PRODUCTION_ENV, "PORTAL_ALLOW_UNSEALED": "", "PORTAL_SEAL_PKCS12": ""})
    assert refused.returncode != 0 and "PORTAL_SEAL_PKCS12" in refused.stderr
    keys = {"PORTAL_SEAL_PKCS12": "/seal.p12", "PORTAL_CREDENTIAL_KEY": "/key.pem", "PORTAL_CREDENTIAL_RSA_KEY": ""}
    refused = manage("check", env={**PRODUCTION_ENV, "PORTAL_ALLOW_UNSEALED": "", **keys})
    assert refused.returncode != 0 and "PORTAL_CREDENTIAL_RSA_KEY" in refused.stderr
    allowed = manage("check", env={**PRODUCTION_ENV, "PORTAL_ALLOW_UNSEALED": "1", "PORTAL_SEAL_PKCS12": ""})
    assert allowed.returncode == 0, allowed.stderr


def test_ensure_dev_seal_creates_the_development_seal_and_key_once(settings, tmp_path):
    settings.DEBUG = True
    settings.PORTAL_SEAL_PKCS12 = str(tmp_path / "var" / "seal.p12")
    settings.PORTAL_CREDENTIAL_KEY = str(tmp_path / "var" / "credential-key.pem")
    settings.PORTAL_CREDENTIAL_RSA_KEY = str(tmp_path / "var" / "credential-rsa-key.pem")
    call_command("ensure_dev_seal", verbosity=0)
    seal_bytes = Path(settings.PORTAL_SEAL_PKCS12).read_bytes()
    assert sealing.configured_seal().is_test_seal
    assert Path(settings.PORTAL_CREDENTIAL_KEY).stat().st_mode & 0o077 == 0
    assert Path(settings.PORTAL_CREDENTIAL_RSA_KEY).stat().st_mode & 0o077 == 0
    assert signing.jwt_key().algorithm == "RS256" and signing.proof_key().algorithm == "EdDSA"
    call_command("ensure_dev_seal", verbosity=0)
    assert Path(settings.PORTAL_SEAL_PKCS12).read_bytes() == seal_bytes


def test_ensure_dev_seal_refuses_outside_development(settings, tmp_path):
    settings.DEBUG = False
    settings.PORTAL_SEAL_PKCS12 = str(tmp_path / "seal.p12")
    with pytest.raises(CommandError):
        call_command("ensure_dev_seal", verbosity=0)
    assert not (tmp_path / "seal.p12").exists()
