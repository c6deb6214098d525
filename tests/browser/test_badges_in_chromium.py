"""The holder's badge on the panel and the achievement's public page, on a phone, in Chromium."""

import pytest

from certificates.credentials.issuing import credential_issue

from .. import factories, flows
from ..certificates.test_panel import ready
from .test_everyday_use import OVERFLOW, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NATURAL_WIDTH = "selector => document.querySelector(selector).naturalWidth"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_badge_links_and_the_achievement_page_fit_a_phone(pages, qualification, language):
    certified = flows.certify(factories.AssessmentFactory(qualification=qualification))
    certificate = certified.certificate
    ready(certificate.versions.get())
    credential_issue(certificate=certificate, languages=("nl", "fr"))
    page = phone_page(pages, certified.candidate, language)
    page.on("console", lambda message: pages._console(page, message))  # no CSP violation, no error
    page.goto(f"{pages.base}/assessments/{certified.pk}/")
    page.locator("#badge img").wait_for()
    page.wait_for_load_state("load")
    assert page.evaluate(NATURAL_WIDTH, "#badge img") == 600  # the SVG loaded, under the page's CSP
    assert page.locator("#linkedin-add").is_visible()
    assert page.locator("#linkedin-add").get_attribute("href").startswith("https://www.linkedin.com/profile/add?")
    overflow, wide = page.evaluate(OVERFLOW)
    assert overflow <= 0 and not wide, (overflow, wide)
    pages.check_accessibility(page)

    page.click("#badge a.btn-link")
    page.wait_for_url(f"{pages.base}/achievements/0213/proof-of-professional-qualification/")
    page.wait_for_load_state("load")
    assert page.evaluate(NATURAL_WIDTH, "main img") == 600
    assert page.locator("html").get_attribute("lang") == language
    overflow, wide = page.evaluate(OVERFLOW)
    assert overflow <= 0 and not wide, (overflow, wide)
    pages.check_accessibility(page)
