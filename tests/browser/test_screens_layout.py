"""Issue 18 in the browser: at 1366x768 and on a 768 px tablet, in English and 中文, as front desk
and manager, the pages fit the window (the grouped menu never wraps or widens the page), the CSP
reports no violation, the profile header fits the first screen, and search answers as you type
with the keyboard."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hotelcrm.models import Role
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENS_SHOTS_DIR")


def _context(browser, live_server, width, height, language):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp.append(message.text))
    return context, page


def _log_in(page, user, language):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)


def _check(page, url, width, name):
    page.goto(url)
    page.wait_for_load_state("load")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{url} is {scroll_width}px wide at a {width}px window"
    # The grouped menu is one line.
    nav = page.locator(".mainnav > ul")
    if nav.count():
        assert nav.bounding_box()["height"] < 48, f"{url}: the menu wraps"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_fit_the_window_and_break_no_csp_rule(browser, live_server, static_files_from_finders, tenants, language):
    guest = tenants.a.guests[0]
    pages = {
        Role.FRONT_DESK: [
            reverse("home"),
            reverse("guests:list"),
            reverse("guests:detail", args=[guest.pk]),
            reverse("guests:edit", args=[guest.pk]),
            reverse("guests:briefing"),
            reverse("complaints:queue"),
        ],
        Role.MANAGER: [
            reverse("audit-list"),
            reverse("loyalty:adjustments"),
            reverse("guests:detail", args=[guest.pk]),
        ],
    }
    for role, urls in pages.items():
        # One log-in per role; the tablet size is the same session with a narrower window.
        context, page = _context(browser, live_server, 1366, 768, language)
        try:
            _log_in(page, tenants.a.users[role], language)
            for width, height in ((1366, 768), (768, 1024)):
                page.set_viewport_size({"width": width, "height": height})
                for url in urls:
                    _check(
                        page,
                        url,
                        width,
                        f"{language}-{width}-{role}-{re.sub(r'[^a-z0-9]+', '-', url).strip('-') or 'home'}",
                    )
                    if url == reverse("guests:detail", args=[guest.pk]) and width == 1366:
                        header = page.locator("#profile-header").bounding_box()
                        assert header["y"] + header["height"] <= 768, "the profile header is below the fold"
            assert page.csp == [], page.csp
        finally:
            context.close()


def test_search_answers_as_you_type_and_the_keyboard_opens_a_result(
    browser, live_server, static_files_from_finders, tenants
):
    context, page = _context(browser, live_server, 1366, 768, "en")
    try:
        _log_in(page, tenants.a.users[Role.FRONT_DESK], "en")
        page.goto(reverse("guests:list"))
        with page.expect_request(
            lambda request: request.method == "POST" and request.url.endswith(reverse("guests:list"))
        ):
            page.locator("#guest-q").press_sequentially("alph")
        rows = page.locator("#guest-rows tr[data-href]")
        expect(rows).to_have_count(1)
        assert "alph" not in page.url  # the query never went into the address
        page.keyboard.press("ArrowDown")
        expect(rows.first).to_have_class(re.compile("is-active"))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(reverse("guests:detail", args=[tenants.a.guests[0].pk]))
        assert page.csp == [], page.csp
    finally:
        context.close()
