"""A front-desk shift in Chromium: find a guest by name, open the profile, add a preference."""

import re

import pytest
from playwright.sync_api import expect

from hotelcrm.models import Role
from tests.factories import DEMO_PASSWORD, GuestFactory, PreferenceTypeFactory

pytestmark = pytest.mark.browser


def test_the_front_desk_finds_a_guest_and_adds_a_preference(page, steps, tenants):
    alpha = tenants.a
    guest = GuestFactory(organization=alpha.organization, family_name="Zhang", given_name="Wei", native_name="张伟")
    floor = PreferenceTypeFactory(
        organization=alpha.organization,
        category="Room",
        name="Floor",
        value_type="choice",
        choices=["High floor", "Low floor"],
    )

    page.goto("/accounts/login/?next=/guests/")
    page.fill("#id_username", alpha.users[Role.FRONT_DESK].username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")
    expect(page.locator("h1")).to_have_text("Guests")

    # Live results: typing swaps in the matching rows without a page load.
    page.fill("#guest-q", "zhang")
    results = page.locator("#guest-rows")
    expect(results).to_contain_text("张伟 (Wei Zhang)")
    expect(results).not_to_contain_text(alpha.guests[0].family_name)
    # The confidential profile stays masked for the front desk.
    page.fill("#guest-q", "Alpha")
    expect(results).to_contain_text("Confidential guest")
    expect(results).not_to_contain_text(alpha.guests[1].family_name)
    page.fill("#guest-q", "张")
    expect(results).to_contain_text("Wei Zhang")
    steps("search")

    with page.expect_navigation():
        results.get_by_role("link", name=re.compile("Wei Zhang")).click()
    expect(page).to_have_url(re.compile(rf"/guests/{guest.pk}/$"))
    expect(page.locator("#preferences")).to_contain_text("No preferences recorded.")
    steps("profile")

    with page.expect_navigation():
        page.click("#add-preference")
    expect(page.locator("#id_preference_type")).to_contain_text("Room · Floor — High floor / Low floor")
    page.select_option("#id_preference_type", str(floor.pk))
    page.fill("#id_value", "Middle floor")
    with page.expect_navigation():
        page.click("#save-button")
    expect(page.locator(".error")).to_contain_text("Choose one of: High floor, Low floor.")
    steps("preference-error")

    page.fill("#id_value", "High floor")
    with page.expect_navigation():
        page.click("#save-button")
    expect(page).to_have_url(re.compile(rf"/guests/{guest.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("Preference saved.")
    expect(page.locator("#preferences")).to_contain_text("Floor")
    expect(page.locator("#preferences")).to_contain_text("High floor")
    steps("preference-saved")
    assert page.problems.items == []
