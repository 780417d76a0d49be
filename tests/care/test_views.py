"""Guest-care screens: who may open them, bad input answered clearly, constant queries."""

import datetime

import pytest

from care.models import CallTask, Campaign, CampaignKind, Delivery, Holiday, MessageTemplate
from hotelcrm.models import AuditEvent, Role
from tests.care.helpers import campaign, care_guest

pytestmark = pytest.mark.django_db


def _login(client, tenant, role):
    client.force_login(tenant.users[role])
    return client


def test_staff_pages_open_by_role_in_both_languages(client, tenants):
    _login(client, tenants.a, Role.MANAGER)
    for name in (
        "/care/",
        "/care/holidays/",
        "/care/deliveries/",
        "/care/calls/",
        "/care/surveys/",
        "/care/settings/",
        "/care/campaigns/new/",
    ):
        assert client.get(name).status_code == 200, name
        assert client.get(name, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200, name
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/care/"})
    assert "客户关怀活动" in client.get("/care/").content.decode()

    _login(client, tenants.a, Role.FRONT_DESK)
    assert client.get("/care/calls/").status_code == 200
    assert client.get("/care/").status_code == 403
    _login(client, tenants.a, Role.GUEST_RELATIONS)
    assert client.get("/care/deliveries/").status_code == 200
    assert client.get("/care/campaigns/new/").status_code == 403


def test_a_manager_creates_a_campaign_and_bad_input_is_answered_on_the_form(client, tenants):
    _login(client, tenants.a, Role.MANAGER)
    bad = client.post(
        "/care/campaigns/new/",
        {"name": "", "kind": "holiday", "channel": "fax", "days_offset": "-3", "min_stays": "x", "cadence_days": "0"},
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "This field is required." in body and "Select a valid choice." in body
    no_holiday = client.post(
        "/care/campaigns/new/",
        {
            "name": "Festival",
            "kind": "holiday",
            "channel": "email",
            "days_offset": "0",
            "min_stays": "2",
            "cadence_days": "90",
        },
    )
    assert no_holiday.status_code == 400 and "Choose the holiday this greeting is for." in no_holiday.content.decode()
    foreign = Holiday.objects.for_org(tenants.b.organization).first()
    with_foreign = client.post(
        "/care/campaigns/new/",
        {
            "name": "Festival",
            "kind": "holiday",
            "channel": "email",
            "holiday": foreign.pk,
            "days_offset": "0",
            "min_stays": "2",
            "cadence_days": "90",
        },
    )
    assert with_foreign.status_code == 400
    ok = client.post(
        "/care/campaigns/new/",
        {
            "name": "Thanks",
            "kind": "post_stay",
            "channel": "email",
            "days_offset": "1",
            "min_stays": "2",
            "cadence_days": "90",
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    created = Campaign.objects.for_hotel(tenants.a.hotels[0]).get(name="Thanks")
    page = client.get(f"/care/campaigns/{created.pk}/")
    assert page.status_code == 200 and "audience-preview" in page.content.decode()
    duplicate = client.post(
        "/care/campaigns/new/",
        {
            "name": "Thanks",
            "kind": "post_stay",
            "channel": "email",
            "days_offset": "1",
            "min_stays": "2",
            "cadence_days": "90",
        },
    )
    assert duplicate.status_code == 400 and "already has a campaign with this name" in duplicate.content.decode()
    assert AuditEvent.objects.for_org(tenants.a.organization).filter(action="care.campaign_create").count() == 1


def test_templates_preview_and_refuse_unknown_variables(client, tenants):
    _login(client, tenants.a, Role.MANAGER)
    birthday = campaign(tenants.a.hotels[0])
    url = f"/care/campaigns/{birthday.pk}/templates/zh-hans/"
    preview = client.post(
        url, {"subject": "{{ guest_name }}生日快乐", "body": "{{ hotel_name }}祝您 {{ nope }}", "preview": "1"}
    )
    assert preview.status_code == 200
    assert "王小明生日快乐" in preview.content.decode() and "nope" in preview.content.decode()
    refused = client.post(url, {"subject": "Hi", "body": "{{ nope }}", "save": "1"})
    assert refused.status_code == 400 and "Unknown variables: nope." in refused.content.decode()
    assert client.post(url, {"subject": "Hi", "body": "", "save": "1"}).status_code == 400
    assert client.post(url, {"subject": "祝福", "body": "{{ guest_name }}，生日快乐", "save": "1"}).status_code == 302
    assert (
        MessageTemplate.objects.for_org(tenants.a.organization).get(campaign=birthday, language="zh-hans").subject
        == "祝福"
    )
    assert client.get(f"/care/campaigns/{birthday.pk}/templates/fr/").status_code == 404


def test_the_holiday_calendar_adds_lunar_festivals_imports_public_holidays_and_refuses_bad_dates(client, tenants):
    _login(client, tenants.a, Role.MANAGER)
    assert client.post("/care/holidays/?year=2025", {"action": "seed"}).status_code == 302
    page = client.get("/care/holidays/?year=2025").content.decode()
    assert "2025-10-06" in page or "6 Oct 2025" in page  # Mid-Autumn (one date format per language, with the year)
    assert client.post("/care/holidays/", {"action": "import", "country": "CN", "year": "2026"}).status_code == 302
    assert Holiday.objects.for_org(tenants.a.organization).filter(calendar="dated", nationalities=["CN"]).exists()
    unknown = client.post("/care/holidays/", {"action": "import", "country": "QQ", "year": "2026"})
    assert unknown.status_code == 400 and "No public-holiday calendar" in unknown.content.decode()
    bad = client.post(
        "/care/holidays/", {"name": "Bad", "calendar": "gregorian", "month": "2", "day": "30", "nationalities": "C1"}
    )
    assert bad.status_code == 400 and "is not a code" in bad.content.decode()
    bad_day = client.post("/care/holidays/", {"name": "Bad", "calendar": "gregorian", "month": "2", "day": "30"})
    assert bad_day.status_code == 400 and "This month has days 1 to 29." in bad_day.content.decode()
    assert client.get("/care/holidays/?year=abc").status_code == 200
    _login(client, tenants.a, Role.GUEST_RELATIONS)
    assert client.post("/care/holidays/", {"action": "seed"}).status_code == 404


def test_settings_refuse_nonsense(client, tenants):
    _login(client, tenants.a, Role.MANAGER)
    bad = client.post(
        "/care/settings/",
        {
            "send_time": "25:00",
            "quiet_start": "21:00",
            "quiet_end": "08:00",
            "frequency_cap_days": "500",
            "catch_up_days": "-1",
        },
    )
    assert bad.status_code == 400
    ok = client.post(
        "/care/settings/",
        {
            "send_time": "09:30",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "frequency_cap_days": "7",
            "catch_up_days": "2",
        },
    )
    assert ok.status_code == 302


def test_the_delivery_log_filters_and_keeps_its_queries_constant(client, tenants, django_assert_max_num_queries):
    hotel = tenants.a.hotels[0]
    birthday = campaign(hotel)
    for i in range(30):
        guest = care_guest(tenants.a, hotel, name=f"Log{i}", email=f"log{i}@example.test", is_confidential=i == 3)
        Delivery.objects.create(
            organization=tenants.a.organization,
            hotel=hotel,
            campaign=birthday,
            guest=guest,
            occasion_on=datetime.date(2026, 5, 17),
            channel="email",
            status="failed" if i % 5 == 0 else "sent",
            last_error="refused" if i % 5 == 0 else "",
        )
    _login(client, tenants.a, Role.GUEST_RELATIONS)
    with django_assert_max_num_queries(14):
        page = client.get("/care/deliveries/")
    assert page.status_code == 200 and "Log7" in page.content.decode() and "Log3" not in page.content.decode()
    failed = client.get("/care/deliveries/", {"status": "failed"}).content.decode()
    assert "Log5" in failed and "Log7" not in failed
    assert (
        client.get(
            "/care/deliveries/", {"status": "nonsense", "day": "not-a-date", "campaign": "x", "page": "999"}
        ).status_code
        == 200
    )
    _login(client, tenants.a, Role.MANAGER)
    with django_assert_max_num_queries(16):
        assert client.get("/care/").status_code == 200


def test_staff_close_a_call_task_with_a_report_once(client, tenants, django_assert_max_num_queries):
    hotel = tenants.a.hotels[0]
    guest = care_guest(tenants.a, hotel, name="Caller", phone="+8613900139009")
    revisit = campaign(hotel, kind=CampaignKind.REVISIT, channel="call")
    for i in range(10):
        CallTask.objects.create(
            organization=tenants.a.organization,
            hotel=hotel,
            guest=guest,
            campaign=revisit,
            due_on=datetime.date(2026, 5, 17 + i % 3),
        )
    task = CallTask.objects.for_hotel(hotel).filter(campaign=revisit).first()
    _login(client, tenants.a, Role.FRONT_DESK)
    with django_assert_max_num_queries(12):
        listing = client.get("/care/calls/")
    assert listing.status_code == 200 and "Caller" in listing.content.decode()
    assert client.get(f"/care/calls/{task.pk}/").status_code == 200
    empty = client.post(f"/care/calls/{task.pk}/", {"outcome": "teleported", "report": ""})
    assert empty.status_code == 400 and "Write a short report" in empty.content.decode()
    assert (
        client.post(
            f"/care/calls/{task.pk}/", {"outcome": "reached", "report": "Happy, books again in May"}
        ).status_code
        == 302
    )
    again = client.post(f"/care/calls/{task.pk}/", {"outcome": "reached", "report": "again"})
    assert again.status_code == 400 and "already closed" in again.content.decode()
    task.refresh_from_db()
    assert task.status == "done" and task.completed_by == tenants.a.users[Role.FRONT_DESK]
    other = CallTask.objects.for_org(tenants.b.organization).first()
    assert client.get(f"/care/calls/{other.pk}/").status_code == 404
