"""The API keys page and the API's documentation, in Chromium: no CSP violation, accessible, and
a key made on the page works once, for what its scopes name."""

import httpx
import pytest

from integrations.models import ApiKey

from .test_procedure_in_chromium import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_makes_a_key_that_the_api_accepts_and_the_documentation_loads(pages, administrator):
    page = log_in(pages, administrator)
    page.goto(f"{pages.base}/assessments/reports/")  # the reports and e-mails pages link to the API keys
    page.click("main >> text=API keys")
    page.fill("#id_name", "Planning tool")
    page.select_option("#id_scope_assessments", "read")
    page.click("main input[type=submit]")
    secret = page.locator("#new-api-key").inner_text().strip()
    pages.check_accessibility(page)
    key = ApiKey.objects.get()
    assert secret.startswith(key.prefix + ".") and key.scopes == {"assessments": "read"}

    with httpx.Client(base_url=pages.base, headers={"Authorization": f"Api-Key {secret}"}) as api:
        assert api.get("/api/v1/assessments/").status_code == 200
        assert api.get("/api/v1/people/").json()["code"] == "scope_missing"

    page.goto(f"{pages.base}/api-keys/")  # the key is never shown again
    assert page.locator("#new-api-key").count() == 0

    # The viewer runs from the portal's own files under its Content-Security-Policy (checked by ``pages``).
    page.click("text=The API's documentation")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 16
