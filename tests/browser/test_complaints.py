"""A complaint in Chromium: quick-logged at the desk, moved through the workflow, closed with a rating."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from hotelcrm.models import Role
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_quick_log_then_handle_and_close_a_complaint_with_a_rating(page, steps, tenants):
    alpha = tenants.a
    page.goto("/accounts/login/?next=/complaints/new/")
    page.fill("#id_username", alpha.users[Role.GUEST_RELATIONS].username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")
    expect(page.locator("h1")).to_have_text("Log a complaint")

    # The quick log: category, room and what happened are enough.
    page.select_option("#id_category", "facility")
    page.fill("#id_room_number", "1208")
    page.fill("#id_guest_name", "Mr Chen")
    page.fill("#id_description", "The air conditioning rattles all night")
    steps("quick-log")
    with page.expect_navigation():
        page.click("#quick-log-submit")
    expect(page).to_have_url(re.compile(r"/complaints/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("logged. Acknowledge by")
    expect(page.locator("#complaint-status")).to_have_text("Received")
    expect(page.locator("#checklist")).to_contain_text("Repaired at once")

    for action, status in (
        ("acknowledge", "Acknowledged"),
        ("start", "In progress"),
        ("resolve", "Resolved"),
        ("follow_up", "Follow-up done"),
    ):
        with page.expect_navigation():
            page.click(f"#step-{action}")
        expect(page.locator("#complaint-status")).to_have_text(status)
    expect(page.locator("#timeline li")).to_have_count(5)
    steps("workflow")

    # Closing: the response comes from the template; the guest rates the handling 5.
    page.select_option("#id_outcome", "justified")
    expect(page.locator("#id_response_text")).to_contain_text("Mr Chen")
    page.fill("#id_root_cause", "Worn fan bearing")
    page.fill("#id_corrective_action", "Bearings added to the maintenance plan")
    page.select_option("#id_satisfaction", "5")
    with page.expect_navigation():
        page.click("#close-submit")
    expect(page.locator("#complaint-status")).to_have_text("Closed")
    expect(page.locator("#complaint-satisfaction")).to_contain_text("5/5")
    expect(page.locator("#complaint-closing")).to_contain_text("Worn fan bearing")
    steps("closed")
    complaint = Complaint.objects.for_org(alpha.organization).get(room_number="1208")
    assert (complaint.status, complaint.satisfaction, complaint.outcome) == ("closed", 5, "justified")

    # The queue lists it under "All" with its due time.
    page.goto("/complaints/?status=all")
    expect(page.locator("#complaint-queue")).to_contain_text("Mr Chen")
