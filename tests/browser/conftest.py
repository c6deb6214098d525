"""Playwright driving Debian's Chromium against a live server; axe-core on every page."""

import json
import os
import shutil
from pathlib import Path

import pytest

from ..conftest import ON_CI

CHROMIUM = "/usr/bin/chromium"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The closed network here refuses Chromium's own background connections; turn them off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if ON_CI:
            pytest.fail("Chromium is required on CI (apt-get install chromium)")
        pytest.skip("Debian's Chromium is not installed")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_in_call = report.failed


class Pages:
    """Opens browser contexts and checks every page it loads: no CSP violation, no serious axe finding."""

    def __init__(self, browser, live_server, request):
        self.browser, self.base, self.request = browser, live_server.url, request
        self.contexts = []
        self.problems = []

    def context(self, language: str = "en"):
        context = self.browser.new_context(
            locale=language, accept_downloads=True, extra_http_headers={"Accept-Language": language}
        )
        context.add_cookies([{"name": "django_language", "value": language, "url": self.base}])
        context.set_default_timeout(20_000)
        self.contexts.append(context)
        return context

    def page(self, language: str = "en"):
        page = self.context(language).new_page()
        page.on("console", lambda message: self._console(page, message))
        return page

    def _console(self, page, message):
        if "Content Security Policy" in message.text or message.type == "error":
            self.problems.append(f"{page.url}: {message.text}")

    def check_accessibility(self, page) -> list[dict]:
        page.evaluate(AXE_SOURCE)
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .map(v => ({id: v.id, impact: v.impact, help: v.help,
                             targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
        )
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, f"{page.url}:\n{json.dumps(serious, indent=1)}"
        return violations

    def close(self, failed: bool):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = self.request.node.name.replace("/", "_")
            for number, context in enumerate(self.contexts):
                for page_number, page in enumerate(context.pages):
                    path = ARTIFACTS / f"{name}-{number}-{page_number}.png"
                    page.screenshot(path=str(path), full_page=True)
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server, request, settings):
    settings.PORTAL_BASE_URL = live_server.url
    pages = Pages(browser, live_server, request)
    yield pages
    pages.close(failed=getattr(request.node, "failed_in_call", True))
    assert not pages.problems, "\n".join(pages.problems)


@pytest.fixture(scope="session", autouse=True)
def _clean_artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
