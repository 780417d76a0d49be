import datetime

from django.urls import reverse

from hotelcrm.models import Role
from reports.selectors import group_overview
from tests.factories import StayFactory

# 20:00 in London on 1 January is already 04:00 on 2 January in Shanghai.
EVENING_IN_LONDON = datetime.datetime(2026, 1, 1, 20, 0, tzinfo=datetime.UTC)


def test_the_group_overview_counts_todays_arrivals_in_each_hotels_own_date(tenants):
    shanghai, london = tenants.a.hotels
    assert (shanghai.time_zone, london.time_zone) == ("Asia/Shanghai", "Europe/London")
    StayFactory(hotel=shanghai, organization=tenants.a.organization, arrival_on=datetime.date(2026, 1, 2))
    StayFactory(hotel=shanghai, organization=tenants.a.organization, arrival_on=datetime.date(2026, 1, 1))
    StayFactory(hotel=london, organization=tenants.a.organization, arrival_on=datetime.date(2026, 1, 1))
    StayFactory(hotel=london, organization=tenants.a.organization, arrival_on=datetime.date(2026, 1, 2))
    rows = {
        row["hotel"]: row
        for row in group_overview(organization=tenants.a.organization, now=EVENING_IN_LONDON)["hotels"]
    }
    assert rows[shanghai]["today"] == datetime.date(2026, 1, 2) and rows[shanghai]["arrivals_today"] == 1
    assert rows[london]["today"] == datetime.date(2026, 1, 1) and rows[london]["arrivals_today"] == 1


def test_the_group_overview_is_a_constant_number_of_queries(tenants, django_assert_max_num_queries):
    for _ in range(20):
        StayFactory(hotel=tenants.a.hotels[1], organization=tenants.a.organization)
    with django_assert_max_num_queries(3):
        group_overview(organization=tenants.a.organization, now=EVENING_IN_LONDON)


def test_a_group_admin_starts_at_the_hotel_of_their_own_membership(client, tenants):
    from tests.factories import HotelFactory

    # A hotel whose name sorts first must not become the start hotel.
    HotelFactory(organization=tenants.a.organization, name="Aaa Airport Inn", code="aaa")
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    assert client.get("/api/v1/me/").json()["active_hotel"] == tenants.a.hotels[0].pk


def test_home_pages_do_a_constant_number_of_queries(client, tenants, django_assert_max_num_queries):
    for _ in range(30):
        StayFactory(hotel=tenants.a.hotels[0], organization=tenants.a.organization)
    for role in Role:
        client.force_login(tenants.a.users[role])
        # Session, user, memberships, the bell's unread count and the idle clock's stamp come
        # with every page; the rest is the home page's own figures, whatever the stay count.
        with django_assert_max_num_queries(12):
            assert client.get(reverse("home")).status_code == 200
