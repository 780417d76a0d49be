"""The README's screenshots, taken from the real pages with believable demo data.

Every run checks the three pages render and stay small. To refresh the committed images:

    UPDATE_README_SCREENSHOTS=1 python -m pytest tests/browser/test_readme_screenshots.py

then look at docs/screenshots/*.png before committing them.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from guests.models import StayStatus
from hotelcrm.models import Role
from tests.factories import (
    DEMO_PASSWORD,
    GuestFactory,
    HotelFactory,
    MembershipFactory,
    OrganizationFactory,
    StayFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

README_DIR = Path(settings.BASE_DIR) / "docs" / "screenshots"
MAX_BYTES = 200_000

GUESTS = [
    # family, given, native, nationality, language
    ("Wang", "Fang", "王芳", "CN", "zh-hans"),
    ("Clarke", "Emma", "", "GB", "en"),
    ("Tanaka", "Yuki", "田中由纪", "JP", "ja"),
    ("Li", "Wei", "李伟", "CN", "zh-hans"),
    ("Müller", "Hans", "", "DE", "de"),
    ("Chen", "Jia", "陈佳", "SG", "en"),
]


@pytest.fixture
def demo_group():
    organization = OrganizationFactory(name="Jade Harbour Hotels", slug="jade-harbour")
    hotels = [
        HotelFactory(organization=organization, name=name, code=code, time_zone=tz)
        for name, code, tz in [
            ("Jade Harbour The Bund", "bund", "Asia/Shanghai"),
            ("Jade Harbour West Lake", "west-lake", "Asia/Shanghai"),
            ("Jade Harbour Kensington", "kensington", "Europe/London"),
        ]
    ]
    guests = [
        GuestFactory(
            organization=organization,
            family_name=f,
            given_name=g,
            native_name=n,
            nationality=c,
            preferred_language=lang,
        )
        for f, g, n, c, lang in GUESTS
    ]
    room = iter(range(1201, 1299, 7))
    for index, guest in enumerate(guests):
        # Everyone arrives today at The Bund, as the front desk sees it; the other hotels get a mix.
        StayFactory(
            hotel=hotels[0], guest=guest, room_number=str(next(room)), departure_on=_days(hotels[0], 1 + index % 3)
        )
        hotel = hotels[1 + index % 2]
        earlier = _days(hotel, -1 - index)
        StayFactory(
            hotel=hotel,
            guest=guest,
            arrival_on=earlier,
            departure_on=_days(hotel, 2),
            status=StayStatus.IN_HOUSE,
            room_number=str(next(room)),
        )
    front_desk = UserFactory(username="mei.zhou", first_name="Mei", last_name="Zhou")
    MembershipFactory(user=front_desk, hotel=hotels[0], organization=organization, role=Role.FRONT_DESK)
    group_admin = UserFactory(username="david.sun", first_name="David", last_name="Sun")
    MembershipFactory(user=group_admin, hotel=hotels[0], organization=organization, role=Role.GROUP_ADMIN)
    return {"hotels": hotels, "front_desk": front_desk, "group_admin": group_admin}


def _days(hotel, offset):
    return timezone.localdate(timezone=hotel.tz) + datetime.timedelta(days=offset)


@pytest.fixture
def shots_dir(tmp_path):
    if os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
        README_DIR.mkdir(parents=True, exist_ok=True)
        return README_DIR
    return tmp_path


def _log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")


def _shoot(page, path):
    page.mouse.move(0, 0)
    # The search box takes focus on load; a blinking caret and focus ring make noisy images.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(path=path)
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


def test_readme_screenshots_show_login_front_desk_and_group_admin_in_chinese(
    browser, live_server, static_files_from_finders, demo_group, shots_dir
):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB", base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        expect(page.locator("h1")).to_have_text("Log in")
        _shoot(page, shots_dir / "login.png")

        _log_in(page, demo_group["front_desk"])
        expect(page.locator("h1")).to_contain_text("Today at Jade Harbour The Bund")
        expect(page.locator("table tbody tr")).to_have_count(len(GUESTS))
        _shoot(page, shots_dir / "front_desk_home.png")
        with page.expect_navigation():
            page.click("#logout-button")

        _log_in(page, demo_group["group_admin"])
        with page.expect_navigation():
            page.select_option("#language-select", "zh-hans")
        bund = demo_group["hotels"][0]
        # Hotels are offered by name, so a group admin starts at Kensington; the picture is of The Bund.
        with page.expect_navigation():
            page.select_option("#hotel-select", str(bund.pk))
        expect(page.locator("h1")).to_have_text("Jade Harbour Hotels：集团今日概况")
        expect(page.locator("table tbody tr")).to_have_count(3)
        expect(page.locator("table tbody tr", has_text=bund.name).locator("td").nth(2)).to_have_text(str(len(GUESTS)))
        _shoot(page, shots_dir / "group_admin_zh.png")
    finally:
        context.close()
