"""Headless Chromium (Debian's, not Playwright's download) driven through Playwright's sync API."""

import os
import re
from pathlib import Path

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item so fixtures can tell, at teardown, that it failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM_PATH}: apt-get install -y chromium, or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a
    # thread with a running loop. The test code is still plain synchronous code, so allow it, but only
    # while the browser lives: other test modules keep Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems:
    """Everything the browser saw go wrong: script errors and failed responses (a missing stylesheet too)."""

    def __init__(self, page):
        self.items = []
        page.on("pageerror", lambda error: self.items.append(f"script error: {error}"))
        page.on("console", self._on_console)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def _on_console(self, message):
        # The favicon's 404 is also reported on the console; it is left out for the same reason.
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            self.items.append(f"console: {message.text}")

    def _on_request_failed(self, request):
        # The icon loads after the page; navigating on at once cancels it, which is no fault.
        if "favicon" in request.url and "ERR_ABORTED" in (request.failure or ""):
            return
        self.items.append(f"failed: {request.url} {request.failure}")

    def _on_response(self, response):
        # Chromium asks for /favicon.ico on its own; pages link /static/favicon.svg instead.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.items.append(f"{response.status} {response.url}")


@pytest.fixture
def static_files_from_finders(settings):
    # The live server answers /static/ with Django's StaticFilesHandler, which looks files up through
    # the finders and so knows nothing of the hashed names the manifest storage puts in pages.
    # Plain storage names the files as the handler finds them; WhiteNoise's own serving is not
    # what these tests are about.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def page(browser, live_server, static_files_from_finders, request, tmp_path):
    """A fresh English-speaking browser context; on failure the last screen is kept as a PNG."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = PageProblems(page)
    yield page
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    if failed:
        path = tmp_path / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}-failure.png"
        page.screenshot(path=path, full_page=True)
        print(f"\nbrowser screenshot at failure: {path}\nURL: {page.url}")
    context.close()


@pytest.fixture
def steps(page, tmp_path):
    """`steps("logged-in")` saves a screenshot of that step; the paths are printed if the test fails."""
    taken = []

    def step(name):
        path = tmp_path / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=path)
        taken.append(path)
        return path

    yield step
    print("\nbrowser screenshots by step:\n" + "\n".join(str(p) for p in taken))
