"""The arrivals briefing: who arrives, what to prepare, in a constant number of queries."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guests import services
from guests.models import GuestProfileUserObjectPermission, PreferenceType, SpecialDateKind, StayStatus
from guests.selectors_briefing import BRIEFING_EXTENSIONS
from hotelcrm.models import Role
from tests.factories import GuestFactory, HotelFactory, MembershipFactory, StayFactory, UserFactory

URL = reverse("guests:briefing")
DAY = datetime.date(2025, 10, 5)


def catalog(organization, code):
    return PreferenceType.objects.for_org(organization).get(code=code)


def arrive(hotel, guest, *, on=DAY, nights=3, **fields):
    return StayFactory(
        hotel=hotel,
        organization=hotel.organization,
        guest=guest,
        arrival_on=on,
        departure_on=on + datetime.timedelta(days=nights),
        **fields,
    )


def briefing(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_briefing_shows_preferences_by_category_and_a_lunar_birthday_during_the_stay(client, tenants):
    a = tenants.a
    desk = a.users[Role.FRONT_DESK]
    guest = GuestFactory(
        organization=a.organization, family_name="Lin", given_name="Mei", vip_level=3, guest_type="business"
    )
    services.guest_preference_set(
        guest=guest, preference_type=catalog(a.organization, "pillow"), value="Memory foam", actor=desk
    )
    services.guest_preference_set(
        guest=guest, preference_type=catalog(a.organization, "drink"), value="Pu'er tea", actor=desk
    )
    services.guest_preference_set(
        guest=guest, preference_type=catalog(a.organization, "golfer"), value="yes", actor=desk
    )
    # Lunar 8/15 is 6 October 2025: inside a stay from 5 to 8 October.
    services.special_date_add(guest=guest, kind=SpecialDateKind.BIRTHDAY, month=8, day=15, calendar="lunar", actor=desk)
    services.special_date_add(guest=guest, kind=SpecialDateKind.ANNIVERSARY, month=10, day=8, actor=desk)
    services.special_date_add(
        guest=guest, kind=SpecialDateKind.OTHER, label="Company founding", month=12, day=1, actor=desk
    )
    arrive(a.hotels[0], guest, room_number="1808", room_type="Deluxe King")

    response, body = briefing(client, desk, date="2025-10-05")
    [row] = [row for row in response.context["rows"] if row.guest_id == guest.pk]
    assert (row.room_number, row.room_type, row.nights, row.vip_level) == ("1808", "Deluxe King", 3, 3)
    assert [(occasion.kind, occasion.on) for occasion in row.occasions] == [
        ("birthday", datetime.date(2025, 10, 6)),
        ("anniversary", datetime.date(2025, 10, 8)),
    ]
    groups = dict(row.preference_groups)
    assert [name for name, _value in groups["Room"]] == ["Pillow type"]
    assert ("Drink preference", "Pu'er tea") in groups["Food and drink"]
    assert ("Golfer", "Yes") in groups["Leisure"]
    for text in (
        "Mei Lin",
        "1808",
        "Deluxe King",
        "Memory foam",
        "Pu&#x27;er tea",
        "Birthday during stay",
        "VIP 3",
        "Business",
    ):
        assert text in body
    assert "Company founding" not in body
    assert "health notes on file" not in body


def test_health_preferences_stay_out_of_the_briefing_behind_a_neutral_flag(client, tenants):
    a = tenants.a
    desk = a.users[Role.FRONT_DESK]
    guest = GuestFactory(organization=a.organization)
    services.guest_sensitive_consent_record(guest=guest, purpose="Safe meals", actor=desk)
    services.guest_preference_set(
        guest=guest, preference_type=catalog(a.organization, "allergies"), value="Peanuts, shellfish", actor=desk
    )
    arrive(a.hotels[0], guest)
    response, body = briefing(client, desk, date=DAY.isoformat())
    [row] = [row for row in response.context["rows"] if row.guest_id == guest.pk]
    assert row.has_health_notes and row.preference_groups == []
    assert "Peanuts" not in body and "Allergies" not in body
    assert "health notes on file — see profile" in body


def test_cancelled_and_no_show_stays_are_left_out_and_other_days_have_their_own_list(client, tenants):
    a = tenants.a
    kept = arrive(a.hotels[0], GuestFactory(organization=a.organization), room_number="501")
    arrive(a.hotels[0], GuestFactory(organization=a.organization), room_number="502", status=StayStatus.CANCELLED)
    arrive(a.hotels[0], GuestFactory(organization=a.organization), room_number="503", status=StayStatus.NO_SHOW)
    arrive(
        a.hotels[0], GuestFactory(organization=a.organization), room_number="504", on=DAY + datetime.timedelta(days=1)
    )
    arrive(a.hotels[1], GuestFactory(organization=a.organization), room_number="505")  # the other hotel
    response, body = briefing(client, a.users[Role.FRONT_DESK], date=DAY.isoformat())
    assert [row.stay_id for row in response.context["rows"]] == [kept.pk]
    assert "?date=2025-10-04" in body and "?date=2025-10-06" in body


def test_today_is_the_hotels_own_date(client, tenants):
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: their dates always differ.
    organization = tenants.a.organization
    hotel = HotelFactory(
        organization=organization, code="kiritimati", name="Line Islands Lodge", time_zone="Pacific/Kiritimati"
    )
    user = UserFactory(username="kiritimati-desk")
    MembershipFactory(user=user, hotel=hotel, organization=organization, role=Role.FRONT_DESK)
    local_today = timezone.localdate(timezone=hotel.tz)
    behind = timezone.localdate(timezone=datetime.timezone(datetime.timedelta(hours=-11)))
    assert behind != local_today
    today_stay = arrive(hotel, GuestFactory(organization=organization), on=local_today)
    other_stay = arrive(hotel, GuestFactory(organization=organization), on=behind)
    response, _body = briefing(client, user)
    assert response.context["day"] == local_today
    assert [row.stay_id for row in response.context["rows"]] == [today_stay.pk]
    assert other_stay.pk not in [row.stay_id for row in response.context["rows"]]


def test_a_malformed_or_impossible_date_shows_a_message_and_todays_list(client, tenants):
    a = tenants.a
    desk = a.users[Role.FRONT_DESK]
    today = timezone.localdate(timezone=a.hotels[0].tz)
    for value in (
        "2025-13-45",
        "yesterday",
        "20251005",
        "9999-12-31",
        "0001-01-01",
        "2025-10-05T00:00",
        "\x00",
        "x" * 5000,
    ):
        response, body = briefing(client, desk, date=value)
        assert response.context["day"] == today
        assert response.context["date_error"] and "Showing today" in body
    response, _body = briefing(client, desk, date="2099-12-31")
    assert response.context["next_day"] is None and not response.context["date_error"]


def test_a_confidential_guest_shows_as_confidential_with_the_room_only(client, tenants):
    a = tenants.a
    desk, manager = a.users[Role.FRONT_DESK], a.users[Role.MANAGER]
    guest = GuestFactory(
        organization=a.organization, family_name="Secretus", given_name="Hidden", is_confidential=True, vip_level=5
    )
    services.guest_preference_set(
        guest=guest, preference_type=catalog(a.organization, "pillow"), value="Buckwheat", actor=manager
    )
    services.special_date_add(guest=guest, kind=SpecialDateKind.BIRTHDAY, month=10, day=6, actor=manager)
    stay = arrive(a.hotels[0], guest, room_number="2201", room_type="Presidential Suite")

    response, body = briefing(client, desk, date=DAY.isoformat())
    [row] = [row for row in response.context["rows"] if row.stay_id == stay.pk]
    assert row.is_masked and row.guest_id is None and row.preference_groups == [] and row.occasions == []
    assert "Confidential guest" in body and "2201" in body
    for secret in (
        "Secretus",
        "Hidden",
        "Buckwheat",
        "Presidential Suite",
        "VIP 5",
        "Birthday during stay",
        f"/guests/{guest.pk}/",
    ):
        assert secret not in body

    _response, body = briefing(client, manager, date=DAY.isoformat())
    assert "Secretus" in body and "Buckwheat" in body and "Birthday during stay" in body

    # A front-desk member holding the object permission opens the guest too.
    GuestProfileUserObjectPermission.objects.create(
        organization=a.organization,
        user=desk,
        content_object=guest,
        permission=Permission.objects.get(codename="open_confidential_guestprofile"),
    )
    _response, body = briefing(client, desk, date=DAY.isoformat())
    assert "Secretus" in body


def _fill(hotel, count, actor):
    organization = hotel.organization
    types = [catalog(organization, code) for code in ("pillow", "drink", "allergies")]
    for i in range(count):
        guest = GuestFactory(organization=organization, is_confidential=(i % 5 == 0), sensitive_consent=True)
        services.guest_preference_set(guest=guest, preference_type=types[0], value="Feather", actor=actor)
        services.guest_preference_set(guest=guest, preference_type=types[1], value=f"Drink {i}", actor=actor)
        services.guest_preference_set(guest=guest, preference_type=types[2], value="Dust", actor=actor)
        services.special_date_add(
            guest=guest, kind=SpecialDateKind.BIRTHDAY, month=8, day=15, calendar="lunar", actor=actor
        )
        services.special_date_add(guest=guest, kind=SpecialDateKind.ANNIVERSARY, month=10, day=7, actor=actor)
        arrive(hotel, guest, room_number=str(3000 + i))


def test_the_briefing_runs_the_same_queries_for_two_or_thirty_arrivals(client, tenants, django_assert_max_num_queries):
    a = tenants.a
    desk = a.users[Role.FRONT_DESK]
    client.force_login(desk)
    # Two arrivals, one of them open to the desk, so every extension has a guest to look up.
    _fill(a.hotels[0], 2, desk)
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(URL, {"date": DAY.isoformat()}).context["rows"]) == 2
    _fill(a.hotels[0], 28, desk)
    # The briefing's own 8, the birthday perks' 3 (guests in house, their birthdays, who may
    # open them), plus the one query each domain's extension may add (open complaints, loyalty tiers).
    with django_assert_max_num_queries(11 + len(BRIEFING_EXTENSIONS)):
        response = client.get(URL, {"date": DAY.isoformat()})
    rows = response.context["rows"]
    # Every fifth guest of each batch is confidential: the first of each batch, 1 + 6.
    assert len(rows) == 30 and sum(row.is_masked for row in rows) == 7
    assert all(len(row.birthdays) == 1 for row in rows if not row.is_masked)
    with CaptureQueriesContext(connection) as thirty:
        client.get(URL, {"date": DAY.isoformat()})
    assert len(thirty.captured_queries) == len(two.captured_queries)


def test_birthdays_in_house_today_put_a_cake_and_card_task_on_the_briefing(
    client, tenants, django_assert_max_num_queries
):
    a = tenants.a
    desk, manager = a.users[Role.FRONT_DESK], a.users[Role.MANAGER]
    hotel = a.hotels[0]
    day = datetime.date(2025, 10, 6)  # lunar 8/15 in 2025
    staying = GuestFactory(organization=a.organization, family_name="Zhou", given_name="Staying")
    services.guest_birth_date_set(guest=staying, birth_date=datetime.date(1980, 10, 6), actor=manager)
    arrive(hotel, staying, on=day - datetime.timedelta(days=2), nights=4, room_number="1201")
    lunar = GuestFactory(organization=a.organization, family_name="Qian", given_name="Lunar")
    services.special_date_add(guest=lunar, kind=SpecialDateKind.BIRTHDAY, month=8, day=15, calendar="lunar", actor=desk)
    arrive(hotel, lunar, on=day - datetime.timedelta(days=3), nights=3, room_number="0808")  # leaves that day
    arriving = GuestFactory(organization=a.organization, family_name="Sun", given_name="Arriving")
    services.special_date_add(guest=arriving, kind=SpecialDateKind.BIRTHDAY, month=10, day=6, actor=desk)
    arrive(hotel, arriving, on=day, room_number="1502")
    # Not today: a birthday tomorrow, a cancelled stay, a stay at the sister hotel, a stay that ended yesterday.
    tomorrow = GuestFactory(organization=a.organization, family_name="Tomorrow")
    services.special_date_add(guest=tomorrow, kind=SpecialDateKind.BIRTHDAY, month=10, day=7, actor=desk)
    arrive(hotel, tomorrow, on=day - datetime.timedelta(days=1))
    for name, stay_fields in (
        ("Cancelled", {"status": StayStatus.CANCELLED}),
        ("Sister", {"hotel": a.hotels[1]}),
        ("Gone", {"on": day - datetime.timedelta(days=3), "nights": 2}),
    ):
        guest = GuestFactory(organization=a.organization, family_name=name)
        services.special_date_add(guest=guest, kind=SpecialDateKind.BIRTHDAY, month=10, day=6, actor=desk)
        arrive(stay_fields.pop("hotel", hotel), guest, **stay_fields)
    secret = GuestFactory(organization=a.organization, family_name="Secretus", is_confidential=True)
    services.special_date_add(guest=secret, kind=SpecialDateKind.BIRTHDAY, month=10, day=6, actor=manager)
    arrive(hotel, secret, on=day - datetime.timedelta(days=1), room_number="2201")
    # Another organization's guest in house on the same day never shows.
    b_guest = GuestFactory(organization=tenants.b.organization, family_name="Bravoborn")
    services.special_date_add(guest=b_guest, kind=SpecialDateKind.BIRTHDAY, month=10, day=6, actor=None)
    arrive(tenants.b.hotels[0], b_guest, on=day)

    client.force_login(desk)
    with django_assert_max_num_queries(11 + len(BRIEFING_EXTENSIONS)):
        response = client.get(URL, {"date": day.isoformat()})
    perks = response.context["birthday_perks"]
    assert [(perk.room_number, perk.guest_id, perk.arriving, perk.departing, perk.is_lunar) for perk in perks] == [
        ("0808", lunar.pk, False, True, True),
        ("1201", staying.pk, False, False, False),
        ("1502", arriving.pk, True, False, False),
    ]
    body = response.content.decode()
    assert "Birthdays in house today: prepare a cake and a card for each" in body
    assert "lunar month 8, day 15" in body and "Secretus" not in body and "Bravoborn" not in body

    _response, body = briefing(client, manager, date=day.isoformat())
    assert "Secretus" in body  # a manager may open the confidential guest, and sees the perk
    _response, body = briefing(client, desk, date=(day + datetime.timedelta(days=1)).isoformat())
    assert "Birthday in house today: prepare a cake and a card" in body and "Tomorrow" in body
    _response, body = briefing(client, desk, date=(day + datetime.timedelta(days=30)).isoformat())
    assert 'id="birthday-perks"' not in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": URL})
    assert "今日在住宾客生日：请准备蛋糕和贺卡" in client.get(URL, {"date": day.isoformat()}).content.decode()


def test_another_organizations_arrivals_never_show(client, tenants):
    a, b = tenants.a, tenants.b
    b_guest = GuestFactory(organization=b.organization, family_name="BravoArrival")
    arrive(b.hotels[0], b_guest, room_number="7777")
    for day in (DAY.isoformat(), None):
        params = {"date": day} if day else {}
        response, body = briefing(client, a.users[Role.GROUP_ADMIN], **params)
        assert "bravo" not in body.lower() and "7777" not in body
        assert all(row.guest_id is None or row.guest_id != b_guest.pk for row in response.context["rows"])


def test_the_briefing_is_for_staff_only(client, tenants):
    response = client.get(URL)
    assert response.status_code == 302
    client.force_login(UserFactory(username="no-hotel"))
    assert client.get(URL).status_code == 403


def test_the_demo_gives_its_organizations_the_catalog_and_its_arrivals_something_to_brief(client, db):
    from guests.catalog import CATALOG
    from guests.models import GuestPreference, SpecialDate
    from hotelcrm import demo
    from hotelcrm.models import Organization

    demo.demo_seed(n_guests=300)
    demo.demo_seed(n_guests=300, reset=True)  # the reset brings the catalog back with the rest
    user = get_user_model().objects.get(username="sha.desk")
    for organization in Organization.objects.filter(slug__in=demo.DEMO_SLUGS):
        assert PreferenceType.objects.for_org(organization).count() == len(CATALOG)
        assert GuestPreference.objects.for_org(organization).exists()
        assert SpecialDate.objects.for_org(organization).exists()
    response, _body = briefing(client, user)
    rows = response.context["rows"]
    assert rows and any(row.preference_groups for row in rows)


def test_the_briefing_speaks_chinese_to_chinese_readers(client, tenants):
    a = tenants.a
    desk = a.users[Role.FRONT_DESK]
    guest = GuestFactory(organization=a.organization)
    services.guest_preference_set(
        guest=guest, preference_type=catalog(a.organization, "pillow"), value="Buckwheat", actor=desk
    )
    arrive(a.hotels[0], guest)
    client.force_login(desk)
    body = client.get(URL, {"date": DAY.isoformat()}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "枕头类型" in body
