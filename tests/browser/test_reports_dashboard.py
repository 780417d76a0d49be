"""The dashboard in headless Chromium: the charts are drawn and a number opens the rows behind it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from hotelcrm.models import Role
from reports import services
from tests.factories import DEMO_PASSWORD
from tests.reports.data import END, START, expected_stays, generate_stays

pytestmark = pytest.mark.browser


def test_the_dashboard_draws_its_charts_and_a_figure_opens_its_rows(page, steps, tenants, tmp_path):
    tenant = tenants.a
    generate_stays(tenant, seed=3)
    services.rollups_rebuild(
        organization=tenant.organization,
        hotels=tenant.hotels,
        start=START - datetime.timedelta(days=60),
        end=END,
        as_of=END,
    )
    manager = tenant.users[Role.MANAGER]
    manager.set_password(DEMO_PASSWORD)
    manager.save()
    page.goto(f"/accounts/login/?next=/reports/dashboard/%3Fstart%3D{START}%26end%3D{END}")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")
    # It opens on the summary; the section is one click away, its chart drawn by ECharts when shown.
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#section-guests")).to_be_hidden()
    expect(page.locator("#summary .echart[data-chart='spark-arrivals'] canvas")).to_have_count(1)
    page.click("#dash-tabs a[href='#section-guests']")
    expect(page.locator("#section-guests")).to_be_visible()
    expect(page.locator("#summary")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"#section-guests$"))
    chart = page.locator("#section-guests .echart[data-chart='stays-trend']")
    expect(chart.locator("canvas")).to_have_count(1)
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 50
    # The tooltip is drawn on the canvas, so hovering a bar breaks no CSP rule.
    chart.hover()
    assert page.problems.items == [] or all("htmx" in item for item in page.problems.items), page.problems.items
    path = tmp_path / "dashboard.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    steps("dashboard")
    totals, *_ = expected_stays(tenant.organization, {tenant.hotels[0].pk}, START, END)
    expect(page.locator("#fig-arrivals")).to_have_text(str(totals["arrivals"]))
    with page.expect_navigation():
        page.click("#fig-new-guests")  # the figure in the open section
    expect(page.locator("#row-count")).to_have_text(str(totals["new_guests"]))
    expect(page.locator("#drill-rows tbody tr")).to_have_count(min(totals["new_guests"], 50) or 1)
    steps("drill-down")
