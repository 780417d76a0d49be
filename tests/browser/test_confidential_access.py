"""A confidential profile in Chromium: the front desk asks, a manager approves, the front desk opens it with a reason."""

import re

import pytest
from playwright.sync_api import expect

from hotelcrm.models import AuditEvent, Role
from tests.conftest import build_tenant
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser

VIP_EMAIL = "vip.secret@example.test"


@pytest.fixture
def alpha(db):
    """One organization: its confidential guest has an email, and no request is waiting yet."""
    from guests import services
    from guests.models import AccessRequest

    tenant = build_tenant("Alpha")
    guest = tenant.guests[1]
    services.guest_contact_add(guest=guest, kind="email", raw_value=VIP_EMAIL, actor=tenant.users[Role.MANAGER])
    AccessRequest.objects.for_org(tenant.organization).filter(guest=guest).delete()
    return tenant


def _log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")


def test_front_desk_requests_access_a_manager_approves_and_the_guest_opens(page, browser, live_server, steps, alpha):
    guest = alpha.guests[1]
    desk, manager = alpha.users[Role.FRONT_DESK], alpha.users[Role.MANAGER]
    sensitive_url = f"/guests/access/{guest.pk}/sensitive/"

    _log_in(page, desk)
    page.goto(sensitive_url)
    expect(page.locator("h1")).to_have_text("Confidential profile")
    expect(page.locator("main")).not_to_contain_text(VIP_EMAIL)
    expect(page.locator("main")).not_to_contain_text(guest.family_name)
    steps("confidential")
    with page.expect_navigation():
        page.click("#request-access-link")
    page.fill("#id_reason", "Preparing the VIP's arrival tonight")
    with page.expect_navigation():
        page.click("#send-access-request")
    expect(page.locator("#request-waiting")).to_be_visible()
    steps("request-sent")

    manager_context = browser.new_context(locale="en-GB", base_url=live_server.url)
    manager_context.set_default_timeout(10_000)
    manager_page = manager_context.new_page()
    try:
        _log_in(manager_page, manager)
        manager_page.goto("/guests/access/requests/")
        row = manager_page.locator("#pending-requests tbody tr").filter(has_text="Preparing the VIP's arrival tonight")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(guest.family_name)
        row.locator("select[name=duration]").select_option("1d")
        with manager_page.expect_navigation():
            row.locator(".approve-button").click()
        expect(manager_page.locator(".messages")).to_contain_text("Access granted.")
        expect(manager_page.locator("#active-grants")).to_contain_text(guest.family_name)
    finally:
        manager_context.close()

    page.goto(sensitive_url)
    expect(page.locator("#sensitive-reason")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(VIP_EMAIL)
    page.check("input[name=reason][value=arrival_preparation]")
    with page.expect_navigation():
        page.click("#show-sensitive")
    expect(page.locator("#sensitive-contacts")).to_contain_text(VIP_EMAIL)
    expect(page).to_have_url(re.compile(rf"{re.escape(sensitive_url)}$"))
    steps("sensitive-open")

    [event] = AuditEvent.objects.for_org(alpha.organization).filter(action="guest.view_sensitive")
    assert event.actor == desk and event.reason == "Arrival preparation"
    assert (
        AuditEvent.objects.for_org(alpha.organization).filter(action="guest.access_granted", actor=manager).count() == 1
    )
    # The notice is a 403 by design, which the browser reports twice; nothing else went wrong.
    expected_403 = [
        f"403 {live_server.url}{sensitive_url}",
        "console: Failed to load resource: the server responded with a status of 403 (Forbidden)",
    ]
    assert sorted(page.problems.items) == sorted(expected_403)
