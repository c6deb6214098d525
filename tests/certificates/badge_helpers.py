"""What the tests of badges share: an issued proof, its downloads, the texts of an SVG."""

from xml.etree import ElementTree

from certificates.credentials.issuing import credential_issue
from certificates.models import Certificate

from .test_panel import ready

SVG = "{http://www.w3.org/2000/svg}"
OB3 = "{https://purl.imsglobal.org/ob/v3p0}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PAGE = "/achievements/0213/proof-of-professional-qualification/"


def svg_texts(svg: bytes) -> dict[str, list[str]]:
    """The lines of text of an SVG, by language."""
    texts: dict[str, list[str]] = {}
    for element in ElementTree.fromstring(svg).iter(f"{SVG}text"):
        texts.setdefault(element.get(XML_LANG), []).append(element.text)
    return texts


def issued(assessment, languages=("nl", "fr")):
    """A proof whose documents are ready, with its credential in these languages."""
    proof = assessment.certificate
    ready(proof.versions.get())
    credential_issue(certificate=proof, languages=languages)
    return Certificate.objects.get(pk=proof.pk)


def download(client, proof, extension: str, who=None):
    client.force_login(who or proof.assessment.candidate)
    return client.get(f"/certificates/{proof.pk}/badge.{extension}")
