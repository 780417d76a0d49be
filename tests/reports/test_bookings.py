"""The booking section (cancellations, no-shows, lead time, party, segment, channel) against an
independent count of the raw stays, hotel and group, with cancellations across local midnights."""

import datetime
import random
import zoneinfo
from collections import Counter

import pytest
from django.urls import reverse

from guests.models import GuestProfile, Stay
from hotelcrm.models import Role
from reports import rollups, services
from reports.selectors import Scope, previous_period
from reports.selectors_bookings import booking_drill, booking_section

START, END = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
WIDE = (START - datetime.timedelta(days=120), END + datetime.timedelta(days=60))
UTC = datetime.UTC


def _local_midnight(hotel, day):
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zoneinfo.ZoneInfo(hotel.time_zone))


def _generate(tenant, seed, count=240):
    rng = random.Random(seed)
    guest = GuestProfile.objects.create(organization=tenant.organization, family_name="Booker")
    edges = [START, END + datetime.timedelta(days=1), previous_period(START, END)[0]]
    rows = []
    for i in range(count):
        hotel = tenant.hotels[i % 2]
        arrival = START - datetime.timedelta(days=40) + datetime.timedelta(days=rng.randrange(0, 80))
        status = rng.choice(["checked_out", "checked_out", "booked", "in_house", "cancelled", "cancelled", "no_show"])
        booked_at = None
        if rng.random() < 0.85:
            booked_at = _local_midnight(hotel, arrival) - datetime.timedelta(
                minutes=rng.choice(
                    [-60, 1, 30, 23 * 60 + 59, 24 * 60 + 1, 7 * 1440, 7 * 1440 + 1, 31 * 1440, 200 * 1440]
                )
            )
        cancelled_at = None
        if status == "cancelled" and rng.random() < 0.9:
            # A minute either side of a period's local midnight, or anywhere before the arrival.
            if rng.random() < 0.5:
                cancelled_at = _local_midnight(hotel, rng.choice(edges)) + datetime.timedelta(
                    minutes=rng.choice([-1, 0, 1])
                )
            else:
                cancelled_at = _local_midnight(hotel, arrival) - datetime.timedelta(hours=rng.randrange(1, 900))
        adults = rng.choice([None, 1, 2, 2, 3, 4])
        rows.append(
            Stay(
                organization=tenant.organization,
                hotel=hotel,
                guest=guest,
                pms_reservation_id=f"BK-{seed}-{i}",
                arrival_on=arrival,
                departure_on=arrival + datetime.timedelta(days=rng.randrange(0, 4)),
                status=status,
                adults=adults,
                children=rng.choice([None, 0, 0, 1, 2]) if adults is not None else None,
                market_segment=rng.choice(["Corporate", "Groups", "Online TA", ""]),
                channel=rng.choice(["Direct", "TA/TO", "GDS", ""]),
                booked_at=booked_at,
                lead_days=None
                if booked_at is None
                else (arrival - booked_at.astimezone(zoneinfo.ZoneInfo(hotel.time_zone)).date()).days,
                cancelled_at=cancelled_at,
            )
        )
    Stay.objects.bulk_create(rows)


def _lead(days):
    if days is None:
        return "unknown"
    return (
        "0"
        if days <= 0
        else "1-7"
        if days <= 7
        else "8-30"
        if days <= 30
        else "31-90"
        if days <= 90
        else "91-180"
        if days <= 180
        else "181+"
    )


def _party(stay):
    if stay.adults is None:
        return "unknown"
    if stay.children:
        return "family"
    return {1: "single", 2: "couple"}.get(stay.adults, "group" if stay.adults > 2 else "single")


def _expected(organization, hotels, start, end):
    """Counted from the raw stays, one by one, in Python."""
    stays = list(Stay.objects.for_org(organization).filter(hotel__in=hotels).select_related("hotel"))
    arriving = [s for s in stays if start <= s.arrival_on <= end]
    made = [
        s
        for s in stays
        if s.status == "cancelled"
        and s.cancelled_at is not None
        and start <= s.cancelled_at.astimezone(zoneinfo.ZoneInfo(s.hotel.time_zone)).date() <= end
    ]
    totals = {
        "bookings": len(arriving),
        "cancelled": sum(s.status == "cancelled" for s in arriving),
        "no_shows": sum(s.status == "no_show" for s in arriving),
        "cancellations_made": len(made),
    }
    by_dimension = {
        "lead_time": Counter(_lead(s.lead_days) for s in arriving),
        "party": Counter(_party(s) for s in arriving),
        "segment": Counter(s.market_segment or "--" for s in arriving),
        "channel": Counter(s.channel or "--" for s in arriving),
    }
    return totals, {d: dict(c) for d, c in by_dimension.items()}


@pytest.fixture
def generated(tenants):
    _generate(tenants.a, seed=1)
    _generate(tenants.b, seed=2)
    for tenant in (tenants.a, tenants.b):
        services.rollups_rebuild(
            organization=tenant.organization, hotels=tenant.hotels, start=WIDE[0], end=WIDE[1], with_rfm=False
        )
    return tenants


@pytest.mark.parametrize("is_group", [False, True])
def test_booking_figures_equal_a_python_count_of_the_raw_stays(generated, is_group, django_assert_max_num_queries):
    tenant = generated.a
    hotels = tenant.hotels if is_group else tenant.hotels[:1]
    scope = Scope(tenant.organization, hotels, is_group, hotels[0])
    with django_assert_max_num_queries(1):
        section = booking_section(scope=scope, start=START, end=END)
    totals, by_dimension = _expected(tenant.organization, hotels, START, END)
    prev_totals, _prev = _expected(tenant.organization, hotels, *previous_period(START, END))
    assert totals["bookings"] > 30 and totals["cancellations_made"] > 3
    for key, value in totals.items():
        assert section["totals"][key] == value, key
        assert section["previous"][key] == prev_totals[key], key
    assert section["totals"]["cancellation_rate"] == round(100 * totals["cancelled"] / totals["bookings"], 1)
    for dimension, expected in by_dimension.items():
        assert {r["value"]: r["bookings"] for r in section["by_dimension"][dimension]} == expected, dimension
    # Every figure drills to exactly its rows.
    drills = {
        "total": totals["bookings"],
        "cancelled": totals["cancelled"],
        "no_show": totals["no_shows"],
        "cancelled_on": totals["cancellations_made"],
    }
    for dimension, count in drills.items():
        assert booking_drill(scope=scope, start=START, end=END, dimension=dimension).count() == count, dimension
    for dimension, expected in by_dimension.items():
        for value, count in expected.items():
            assert booking_drill(scope=scope, start=START, end=END, dimension=dimension, value=value).count() == count


def test_a_cancellation_counts_on_the_hotels_local_day(tenants):
    shanghai, london = tenants.a.hotels
    guest = GuestProfile.objects.create(organization=tenants.a.organization, family_name="Edge")
    # 2026-02-28 16:30 UTC is 1 March 00:30 in Shanghai but still 28 February in London.
    instant = datetime.datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
    for hotel in (shanghai, london):
        Stay.objects.create(
            organization=tenants.a.organization,
            hotel=hotel,
            guest=guest,
            pms_reservation_id="EDGE",
            arrival_on=datetime.date(2026, 4, 2),
            departure_on=datetime.date(2026, 4, 3),
            status="cancelled",
            cancelled_at=instant,
        )
    services.rollups_rebuild(
        organization=tenants.a.organization, hotels=tenants.a.hotels, start=WIDE[0], end=WIDE[1], with_rfm=False
    )
    for hotel, expected in ((shanghai, 1), (london, 0)):
        scope = Scope(tenants.a.organization, [hotel], False, hotel)
        assert booking_section(scope=scope, start=START, end=END)["totals"]["cancellations_made"] == expected
        assert booking_drill(scope=scope, start=START, end=END, dimension="cancelled_on").count() == expected
    group = Scope(tenants.a.organization, tenants.a.hotels, True, shanghai)
    assert booking_section(scope=group, start=START, end=END)["totals"]["cancellations_made"] == 1
    assert (
        booking_section(scope=group, start=datetime.date(2026, 2, 1), end=datetime.date(2026, 2, 28))["totals"][
            "cancellations_made"
        ]
        == 1
    )


def test_the_rollup_rows_equal_the_raw_query(generated):
    from reports.models import BookingDailyRollup

    hotel = generated.a.hotels[1]  # London
    raw = {
        (r["day"], r["dimension"], r["value"]): (r["bookings"], r["cancelled"], r["no_shows"])
        for r in rollups.raw_booking_rows(hotel, *WIDE)
    }
    stored = {
        (r.day, r.dimension, r.value): (r.bookings, r.cancelled, r.no_shows)
        for r in BookingDailyRollup.objects.for_hotel(hotel).filter(day__range=WIDE)
    }
    assert raw == stored and len(stored) > 50


@pytest.mark.parametrize("group", [False, True])
def test_the_dashboard_shows_the_booking_section_and_drills_to_the_rows(client, generated, group):
    tenant = generated.a
    client.force_login(tenant.users[Role.GROUP_ADMIN if group else Role.MANAGER])
    query = f"start={START}&end={END}" + ("&group=1" if group else "")
    response = client.get(f"{reverse('reports:dashboard')}?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="section-bookings"' in page and 'id="breakdown-lead_time"' in page
    section = response.context["bookings"]
    hotels = tenant.hotels if group else tenant.hotels[:1]
    assert section["totals"] == {**section["totals"], **_expected(tenant.organization, hotels, START, END)[0]}
    drill = client.get(f"{reverse('reports:bookings')}?{query}&dimension=cancelled_on")
    assert drill.status_code == 200
    assert drill.context["page"].paginator.count == section["totals"]["cancellations_made"]
    bad = client.get(f"{reverse('reports:bookings')}?{query}&dimension=bogus")
    assert bad.status_code == 400


def test_front_desk_cannot_drill_into_bookings(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert client.get(reverse("reports:bookings")).status_code == 403
