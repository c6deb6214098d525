"""The PAdES seal on the supplement and the credential embedded in it (PDF/A-3 associated file)."""

import asyncio
import datetime
import re
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer
from pypdf import PdfReader

from certificates import sealing
from certificates.credentials import signing
from certificates.credentials.embedding import embedded_credential
from certificates.models import SealCertificate, SupplementVersion
from certificates.rendering import render_supplement_pdf

from ..test_deployment import PRODUCTION_ENV, manage
from .conftest import render, sealed_long_term
from .pki import ProviderPki
from .sealing_helpers import make_seal, tiny_pdf

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
    assert data.startswith(b"%PDF-1.7") and data.count(b"%%EOF") == 2  # rendering; credential and seal
    assert reader.xrefs.total_revisions == 2
    assert signature.signed_revision == 1
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


@pytest.mark.parametrize("name", ["Benchmark seal", "Portal test seal"])
def test_the_seal_signs_byte_for_byte_what_pyhankos_own_signer_signs(tmp_path, name):
    """The seal's signer keeps its key parsed and its signing-certificate attribute made (for
    "Benchmark seal", a set of 128 bytes, whose header asn1crypto mistakes for an indefinite
    length): the signature container is still what pyHanko's SimpleSigner makes from the same
    PKCS#12 (RSA PKCS #1 v1.5 signatures are deterministic)."""
    path = make_seal(tmp_path, name=name)
    ours = sealing._load_seal(str(path), 0, "pass").signer
    theirs = SimpleSigner.load_pkcs12(str(path), passphrase=b"pass")
    attributes = PdfCMSSignedAttributes(signing_time=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))

    def signed(signer) -> bytes:
        container = signer.async_sign(bytes(32), "sha256", use_pades=True, signed_attr_settings=attributes)
        return sealing._outside_any_event_loop(lambda: asyncio.run(container)).dump()

    assert signed(ours) == signed(theirs)


def test_a_seal_with_an_elliptic_curve_key_is_valid_for_pyhanko(pki, tmp_path):
    path = tmp_path / "ec-seal.p12"
    path.write_bytes(pki.seal_pkcs12(key=ec.generate_private_key(ec.SECP256R1())))
    seal = sealing._load_seal(str(path), 0, "pass")
    [signature] = PdfFileReader(BytesIO(sealing.seal_pdf(tiny_pdf(), seal=seal))).embedded_signatures
    context = ValidationContext(trust_roots=[pki.root_certificate], allow_fetching=False)
    status = validate_pdf_signature(signature, signer_validation_context=context)
    assert status.intact and status.valid and status.trusted
    assert signature.signer_info["signature_algorithm"].signature_algo == "ecdsa"


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


def test_a_timestamp_server_makes_the_seal_pades_b_lta(rendered, pki, provider_seal, settings):
    settings.PORTAL_SEAL_TSA_URL = "http://tsa.invalid/"  # configured, but the test stamps locally
    assert sealing._timestamper().url == "http://tsa.invalid/"
    reader = PdfFileReader(BytesIO(sealed_long_term(rendered, pki, provider_seal)))
    seal, document_timestamp = reader.embedded_signatures
    assert document_timestamp.sig_object_type == "/DocTimeStamp"
    # The seal, then the validation data (B-LT), then the document timestamp over it (B-LTA).
    assert reader.xrefs.total_revisions == seal.signed_revision + 3
    dss = reader.root["/DSS"]
    certificates = {x509.Certificate.load(item.get_object().data).sha256 for item in dss["/Certs"]}
    embedded = {provider_seal.certificate.sha256, pki.timestamper.tsa_cert.sha256, pki.root_certificate.sha256}
    assert embedded <= certificates
    assert [item.get_object().data for item in dss["/CRLs"]] == [pki.crl.dump()]
    context = ValidationContext(trust_roots=[pki.root_certificate], allow_fetching=False)
    status = validate_pdf_signature(seal, signer_validation_context=context)
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert status.modification_level == ModificationLevel.LTA_UPDATES


def test_a_seal_whose_certificate_was_revoked_is_not_applied(rendered, pki, provider_seal):
    pki.revoked.append(provider_seal.certificate.serial_number)
    with pytest.raises(SigningError, match="could not be validated"):
        sealed_long_term(rendered, pki, provider_seal)


def test_a_seal_whose_revocation_status_cannot_be_had_is_not_applied(rendered, pki, provider_seal):
    """Its certificate names a revocation list that cannot be fetched here: rather no seal (the
    rendering fails and is retried) than one that says it can be validated for years and cannot."""
    context = sealing.long_term_context(provider_seal, pki.timestamper, fetching=False)
    with pytest.raises(SigningError, match="could not be validated"):
        sealing.seal_pdf(
            render_supplement_pdf(rendered), seal=provider_seal, timestamper=pki.timestamper, validation_context=context
        )


def test_the_configured_trust_roots_are_where_the_embedded_paths_end(pki, provider_seal, settings, tmp_path):
    """With ``PORTAL_SEAL_TRUST_ROOTS`` the paths end at those roots only: another authority's root
    validates neither the seal nor the timestamp server, and nothing is sealed."""
    roots = tmp_path / "roots.pem"
    settings.PORTAL_SEAL_TRUST_ROOTS = str(roots)
    for root, works in [(ProviderPki().root, False), (pki.root, True)]:
        roots.write_bytes(root.public_bytes(serialization.Encoding.PEM))
        context = sealing.long_term_context(provider_seal, pki.timestamper, crls=[pki.crl], fetching=False)
        try:
            sealed = sealing.seal_pdf(
                tiny_pdf(), seal=provider_seal, timestamper=pki.timestamper, validation_context=context
            )
        except SigningError:
            sealed = None
        assert (sealed is not None) is works


def test_a_long_term_seal_stays_valid_for_pyhanko_after_its_certificate_expired(rendered, pki, provider_seal):
    """A month on, the seal's certificate (valid one day) has expired. pyHanko's AdES validation
    then relies on what the document carries: the timestamps prove that the seal, the certificates
    and the revocation list existed while the certificate was valid, and the list that it was not
    revoked. Only the timestamp server's certificate, still valid, is checked against the
    authority's list of that day. Without the document timestamp (B-LT alone) nothing proves when
    the validation data existed, and pyHanko answers "indeterminate: no proof of existence"."""
    signature = PdfFileReader(BytesIO(sealed_long_term(rendered, pki, provider_seal))).embedded_signatures[0]
    later = pki.now + datetime.timedelta(days=30)
    assert provider_seal.certificate.not_valid_after < later
    policy = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build([pki.root_certificate]),
                revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(RevinfoOnlineFetchingRule.LOCAL_ONLY),
            local_knowledge=LocalKnowledge(known_crls=[CRLContainer(pki.crl_at(later))]),
        ),
        diff_policy=DEFAULT_DIFF_POLICY,
    )
    timing = ValidationTimingInfo(later, later, True)
    result = sealing._outside_any_event_loop(
        lambda: asyncio.run(ades_lta_validation(signature, policy, timing_info=timing))
    )
    assert result.ades_subindic == AdESPassed.OK, result.ades_subindic
    assert result.api_status.bottom_line


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


def test_pyhankos_event_loop_runs_beside_one_the_thread_already_runs():
    """pyHanko signs with ``asyncio.run``; a caller whose thread runs a loop already (a browser
    driven in the same process, an async caller) still gets its document sealed."""

    async def caller() -> int:
        return sealing._outside_any_event_loop(lambda: asyncio.run(asyncio.sleep(0, result=7)))

    assert asyncio.run(caller()) == 7
