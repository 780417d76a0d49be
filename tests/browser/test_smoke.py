"""One walk through the real pages in headless Chromium: log in, change language and hotel, log out."""

import re

import pytest
from playwright.sync_api import expect

from hotelcrm.models import Role
from tests.factories import DEMO_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def two_hotel_user(tenants):
    """Front desk at Alpha Grand, manager at Alpha Riverside: the home page differs between them."""
    alpha = tenants.a
    user = UserFactory(username="alpha-two-hotels", first_name="Mei", last_name="Zhou")
    MembershipFactory(user=user, hotel=alpha.hotels[0], organization=alpha.organization, role=Role.FRONT_DESK)
    MembershipFactory(user=user, hotel=alpha.hotels[1], organization=alpha.organization, role=Role.MANAGER)
    return user


def test_a_user_logs_in_switches_language_and_hotel_and_logs_out(page, steps, tenants, two_hotel_user):
    grand, riverside = tenants.a.hotels

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("h1")).to_have_text("Log in")
    steps("login-page")

    page.fill("#id_username", two_hotel_user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")
    expect(page.locator("h1")).to_contain_text(f"Today at {grand.name}")
    expect(page.locator("h2")).to_contain_text("Arrivals today")
    expect(page.locator("main")).to_contain_text(tenants.a.guests[0].family_name)
    # Only the user's own hotels are offered; the other organization's never appear.
    expect(page.locator("#hotel-select option")).to_have_text(
        [f"{tenants.a.organization.name} · {grand.name}", f"{tenants.a.organization.name} · {riverside.name}"]
    )
    # The stylesheet arrived: the brand colour comes from app.css, not the browser default.
    expect(page.locator(".brand")).to_have_css("color", "rgb(138, 90, 43)")
    steps("home-english")

    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_contain_text(f"{grand.name} · 今日")
    expect(page.locator("h2")).to_contain_text("今日抵店")
    expect(page.locator("#logout-button")).to_have_text("退出登录")
    expect(page.locator("body")).not_to_contain_text("Arrivals today")
    expect(page.locator("#language-select option:checked")).to_have_text("简体中文")
    steps("home-chinese")

    with page.expect_navigation():
        page.select_option("#hotel-select", str(riverside.pk))
    expect(page.locator("h1")).to_contain_text(f"{riverside.name} 概览")
    expect(page.locator("h1")).not_to_contain_text(grand.name)
    expect(page.locator("#hotel-select option:checked")).to_contain_text(riverside.name)
    expect(page.locator(".who")).to_contain_text("经理")
    steps("other-hotel")

    with page.expect_navigation():
        page.click("#logout-button")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("#logout-button")).to_have_count(0)
    steps("logged-out")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    assert page.problems.items == []
