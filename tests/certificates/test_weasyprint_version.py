"""WeasyPrint's private code that the renderer relies on, and the versions it was checked with."""

import tomllib
from pathlib import Path

import weasyprint
from weasyprint.pdf import tags
from weasyprint.text.fonts import FontConfiguration

from certificates import pdf_tags, rendering
from certificates.fonts import PortalFonts

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
UPGRADE_ADVICE = (
    "WeasyPrint {version} is installed, but the portal's use of WeasyPrint's private code was checked "
    "with {checked} only: certificates/pdf_tags.py wraps weasyprint.pdf.tags._build_box_tree (each "
    "column's language in the tagged PDF) and certificates/fonts.py sets FontConfiguration._config "
    "(no font of the machine's). Read both against the new version's source, run "
    "tests/certificates/test_supplement_document.py and test_composition.py, then add the version to "
    "CHECKED_WEASYPRINT_VERSIONS in certificates/rendering.py and pin it in pyproject.toml."
)


def test_the_installed_weasyprint_is_a_version_its_private_code_was_checked_with():
    checked = rendering.CHECKED_WEASYPRINT_VERSIONS
    assert weasyprint.__version__ in checked, UPGRADE_ADVICE.format(version=weasyprint.__version__, checked=checked)


def test_pyproject_pins_weasyprint_to_a_checked_version():
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    [pin] = [dependency for dependency in dependencies if dependency.lower().startswith("weasyprint")]
    name, _, version = pin.partition("==")
    assert name == "weasyprint" and version in rendering.CHECKED_WEASYPRINT_VERSIONS


def test_the_private_code_is_where_the_portal_reaches_for_it():
    assert tags._build_box_tree is pdf_tags._build_box_tree_with_languages  # installed by the renderer
    assert pdf_tags._build_box_tree.__module__ == "weasyprint.pdf.tags"
    assert "_config" in vars(FontConfiguration()) and PortalFonts().font_files() == []
