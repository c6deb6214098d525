"""The certificate supplement PDF: complete, bilingual, archival, and blind to the network."""

import hashlib
import re
import socket
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from certificates import services
from certificates.models import SupplementVersion
from certificates.rendering import PortalURLFetcher
from qualifications.models import Competency, Indicator

from .. import flows
from .conftest import render

pytestmark = pytest.mark.django_db


def pdf_text(version: SupplementVersion) -> str:
    reader = PdfReader(version.file.path)
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_rendering_stores_the_pdf_privately_with_its_checksum(rendered):
    data = Path(rendered.file.path).read_bytes()
    assert rendered.status == SupplementVersion.Status.READY
    assert data.startswith(b"%PDF-")
    assert rendered.sha256 == hashlib.sha256(data).hexdigest()
    assert rendered.size == len(data)
    assert rendered.renderer_version.startswith("WeasyPrint ")
    assert rendered.file.name.startswith("supplements/")


@pytest.mark.parametrize("languages", [("nl", "en"), ("fr", "nl"), ("en", "fr")])
def test_every_competency_and_indicator_is_in_both_languages(certificate, languages):
    version = render(services.supplement_queue(certificate=certificate, languages=languages))
    text = pdf_text(version)
    competencies = Competency.objects.all()
    indicators = Indicator.objects.all()
    assert competencies.count() == 10 and indicators.count() == 47
    for language in languages:
        for row in [*competencies, *indicators]:
            assert squash(getattr(row, f"text_{language}")) in text, (language, row.text_en)
    for competency in competencies:
        assert competency.code in text


def test_the_issuance_block_ties_the_supplement_to_the_certificate(certificate, rendered):
    text = pdf_text(rendered)
    assert certificate.number in text
    assert certificate.holder_name in text
    assert certificate.verification_url in text
    assert "Beroepskwalificatie Contactcenteroperator" in text


def test_all_six_sections_and_the_explanatory_note_are_there_in_both_languages(rendered):
    text = pdf_text(rendered)
    for heading in [
        "1. Title of the certificate",
        "2. Translated title",
        "3. Profile of skills",
        "4. Range of occupations",
        "5. Official basis",
        "6. Officially recognised ways",
        "Explanatory note",
        "EQF level 3",
        "Max. 6 hours",
    ]:
        assert heading in text
    assert "3 %" in text and "97" not in text.replace(rendered.certificate.number, "")


def test_the_pdf_is_a4_archival_with_embedded_fonts_title_and_language(rendered):
    reader = PdfReader(rendered.file.path)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
                "/FontDescriptor"
            ]
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
    assert any("Noto-Sans" in name for name in fonts)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert rendered.certificate.number in reader.metadata.title
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)


class CountingServer:
    """A local TCP server that counts connections: the renderer must make none."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_html_in_the_holders_name_makes_no_request(assessment):
    server = CountingServer()
    try:
        payload = (
            f'<img src="http://127.0.0.1:{server.port}/"><link rel=stylesheet '
            f'href="http://127.0.0.1:{server.port}/x.css">'
        )
        candidate = assessment.candidate
        candidate.first_name, candidate.last_name = payload, '<iframe src="file:///etc/passwd"></iframe>'
        candidate.save()
        certificate = flows.certify(assessment).certificate
        version = render(certificate.versions.get())
        assert version.status == SupplementVersion.Status.READY
        assert server.connections == 0
        assert f"127.0.0.1:{server.port}" in pdf_text(version)  # shown as text
        assert "root:x:0:0" not in pdf_text(version)
    finally:
        server.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/font.ttf",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "data:text/plain,hello",
    ],
)
def test_the_url_fetcher_refuses_everything_outside_the_portal(url):
    with pytest.raises(ValueError):
        PortalURLFetcher().fetch(url)


def test_the_url_fetcher_refuses_paths_escaping_the_static_folder(settings):
    static = Path(settings.BASE_DIR) / "static"
    with pytest.raises(ValueError):
        PortalURLFetcher().fetch((static / "fonts" / ".." / ".." / "manage.py").as_uri())
    with pytest.raises(ValueError):
        PortalURLFetcher().fetch(f"file://{static}/fonts/../../portal/settings/base.py")
    assert PortalURLFetcher().fetch((static / "fonts" / "NotoSans-Regular.ttf").as_uri()).read(4) == b"\x00\x01\x00\x00"


def test_web_requests_never_render(client, assessment, monkeypatch):
    """The last submission in the browser certifies; the PDF is left to the worker."""
    monkeypatch.setattr(
        "certificates.rendering.render_supplement_pdf", lambda version: pytest.fail("rendered in a web request")
    )
    flows.started_and_ended(assessment)
    flows.judge(assessment, assessment.first_assessor)
    client.force_login(assessment.second_assessor)
    data = {"submit": ""}
    for competency in assessment.qualification.competencies.all():
        data[f"c{competency.pk}-proven"] = "yes"
    assert client.post(f"/assessments/{assessment.pk}/score-sheet/", data).status_code == 302
    assert SupplementVersion.objects.get().status == SupplementVersion.Status.QUEUED
