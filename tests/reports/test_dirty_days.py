"""Writes mark the hotel-local days they change; the refresh recomputes them, so dashboards never
wait for a manual rebuild and always agree with their drill-downs."""

import datetime
import random
from decimal import Decimal

import pytest
from django.urls import reverse

from guests.models import Stay
from hotelcrm import rls
from hotelcrm.models import Role
from reports import services, tasks
from reports.models import RollupDirtyDay
from reports.selectors import Scope, complaint_drill, complaint_section, rollups_pending, stay_drill, stay_section
from tests.factories import GuestFactory
from tests.reports.data import _complaint_row

TODAY = datetime.date(2026, 12, 4)


def _marks(organization):
    return set(RollupDirtyDay.objects.for_org(organization).values_list("hotel_id", "day"))


def _stay(tenant, hotel, guest, arrival, *, nights=2, status="checked_out", ref=None):
    return Stay.objects.create(
        organization=tenant.organization,
        hotel=hotel,
        guest=guest,
        pms_reservation_id=ref or f"R-{arrival}-{guest.pk}",
        arrival_on=arrival,
        departure_on=arrival + datetime.timedelta(days=nights),
        status=status,
        room_revenue=Decimal("800.00"),
    )


def test_a_back_dated_stay_marks_its_arrival_day_and_the_refresh_puts_it_on_the_dashboard(tenants):
    a = tenants.a
    hotel = a.hotels[0]
    guest = GuestFactory(organization=a.organization)
    arrival = TODAY - datetime.timedelta(days=700)  # far outside the nightly 60-day window
    services.rollups_refresh_dirty(organization=a.organization)
    scope = Scope(a.organization, [hotel], False, hotel)

    _stay(a, hotel, guest, arrival)

    assert (hotel.pk, arrival) in _marks(a.organization)
    assert rollups_pending(scope=scope, start=arrival, end=arrival) == 1
    assert stay_section(scope=scope, start=arrival, end=arrival)["totals"]["arrivals"] == 0
    services.rollups_refresh_dirty(organization=a.organization)
    assert _marks(a.organization) == set()
    totals = stay_section(scope=scope, start=arrival, end=arrival)["totals"]
    assert (totals["arrivals"], totals["new_guests"], totals["nights"]) == (1, 1, 2)


def test_an_earlier_stay_moves_the_new_guest_flag_and_marks_the_day_it_left(tenants):
    a = tenants.a
    guest = GuestFactory(organization=a.organization)
    later = TODAY - datetime.timedelta(days=30)
    _stay(a, a.hotels[1], guest, later)
    services.rollups_refresh_dirty(organization=a.organization)
    earlier = TODAY - datetime.timedelta(days=400)

    _stay(a, a.hotels[0], guest, earlier)

    # The later stay (another hotel) is no longer the guest's first: its day is marked too.
    assert {(a.hotels[0].pk, earlier), (a.hotels[1].pk, later)} <= _marks(a.organization)
    services.rollups_refresh_dirty(organization=a.organization)
    group = Scope(a.organization, a.hotels, True, a.hotels[0])
    assert stay_section(scope=group, start=later, end=later)["totals"]["new_guests"] == 0
    assert stay_section(scope=group, start=earlier, end=earlier)["totals"]["new_guests"] == 1


def test_cancelling_and_moving_a_stay_marks_the_old_and_the_new_day(tenants):
    a = tenants.a
    hotel = a.hotels[0]
    stay = _stay(a, hotel, GuestFactory(organization=a.organization), TODAY - datetime.timedelta(days=90))
    services.rollups_refresh_dirty(organization=a.organization)
    moved = TODAY - datetime.timedelta(days=80)

    Stay.objects.for_org(a.organization).filter(pk=stay.pk).update(
        arrival_on=moved, departure_on=moved + datetime.timedelta(days=1)
    )

    assert {(hotel.pk, TODAY - datetime.timedelta(days=90)), (hotel.pk, moved)} <= _marks(a.organization)
    services.rollups_refresh_dirty(organization=a.organization)
    Stay.objects.for_org(a.organization).filter(pk=stay.pk).update(room_number="1208")  # not a figure: no mark
    assert _marks(a.organization) == set()
    Stay.objects.for_org(a.organization).filter(pk=stay.pk).update(status="cancelled")
    assert (hotel.pk, moved) in _marks(a.organization)


def test_changing_a_guest_breakdown_field_marks_every_day_they_stayed(tenants):
    a = tenants.a
    guest = GuestFactory(organization=a.organization, nationality="CN")
    days = [TODAY - datetime.timedelta(days=n) for n in (500, 200, 3)]
    for i, day in enumerate(days):
        _stay(a, a.hotels[i % 2], guest, day)
    services.rollups_refresh_dirty(organization=a.organization)

    type(guest).objects.for_org(a.organization).filter(pk=guest.pk).update(nationality="GB")

    assert _marks(a.organization) == {(a.hotels[i % 2].pk, day) for i, day in enumerate(days)}
    services.rollups_refresh_dirty(organization=a.organization)
    type(guest).objects.for_org(a.organization).filter(pk=guest.pk).update(birth_decade=1970)  # the age band's source
    assert _marks(a.organization) == {(a.hotels[i % 2].pk, day) for i, day in enumerate(days)}


def test_a_complaint_marks_the_local_day_of_its_hotel_not_the_utc_day(tenants):
    a = tenants.a
    hotel = a.hotels[0]  # Asia/Shanghai: 23:30 local is 15:30 UTC the same day, 00:10 local is the UTC day before
    services.rollups_refresh_dirty(organization=a.organization)
    day = datetime.date(2025, 3, 1)
    local = datetime.datetime.combine(day, datetime.time(0, 10), tzinfo=hotel.tz)
    row = _complaint_row(a.organization, hotel, local, random.Random(1), 1)
    row.save()
    assert _marks(a.organization) == {(hotel.pk, day)}


def test_marks_are_written_under_the_application_role_and_stay_inside_the_tenant(tenants):
    a, b = tenants.a, tenants.b
    guest = GuestFactory(organization=a.organization)
    services.rollups_refresh_dirty(organization=a.organization)
    services.rollups_refresh_dirty(organization=b.organization)
    with rls.tenant_context(a.organization):
        _stay(a, a.hotels[0], guest, TODAY - datetime.timedelta(days=10))
        assert RollupDirtyDay.objects.for_org(a.organization).count() == 1
    assert RollupDirtyDay.objects.for_org(b.organization).count() == 0


def test_the_beat_task_refreshes_each_organization_with_marks(tenants):
    a = tenants.a
    _stay(a, a.hotels[0], GuestFactory(organization=a.organization), TODAY - datetime.timedelta(days=365))
    assert tasks.refresh_dirty_rollups_task(a.organization.pk) >= 1
    assert _marks(a.organization) == set()
    assert tasks.refresh_dirty_rollups_task(a.organization.pk) == 0  # nothing left: a repeat does nothing
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["reports-refresh-dirty-days"]["schedule"] <= 300


def test_the_dashboard_says_figures_are_being_refreshed_instead_of_showing_a_silent_zero(client, tenants):
    a = tenants.a
    arrival = TODAY - datetime.timedelta(days=300)
    services.rollups_refresh_dirty(organization=a.organization)
    _stay(a, a.hotels[0], GuestFactory(organization=a.organization), arrival)
    client.force_login(a.users[Role.MANAGER])
    params = {"start": str(arrival - datetime.timedelta(days=5)), "end": str(arrival + datetime.timedelta(days=5))}
    html = client.get(reverse("reports:dashboard"), params).content.decode()
    assert 'id="rollups-pending"' in html
    services.rollups_refresh_dirty(organization=a.organization)
    html = client.get(reverse("reports:dashboard"), params).content.decode()
    assert 'id="rollups-pending"' not in html


# --- The property: every count equals the rows of its drill-down ---------------------------------


def _generate_history(tenant, rng, *, guests=25, stays=120, complaints=60):
    """Stays and complaints over three years, written the way a PMS or an import would (no rebuild)."""
    profiles = [
        GuestFactory(
            organization=tenant.organization,
            nationality=rng.choice(["CN", "GB", "JP", ""]),
            gender=rng.choice(["male", "female", ""]),
            guest_type=rng.choice(["business", "leisure", ""]),
            birth_decade=rng.choice([None, 1960, 1980, 2000]),
        )
        for _ in range(guests)
    ]
    rows = []
    for i in range(stays):
        arrival = TODAY - datetime.timedelta(days=rng.randrange(-20, 3 * 365))
        rows.append(
            Stay(
                organization=tenant.organization,
                hotel=rng.choice(tenant.hotels),
                guest=rng.choice(profiles),
                pms_reservation_id=f"H-{i}",
                arrival_on=arrival,
                departure_on=arrival + datetime.timedelta(days=rng.randrange(0, 6)),
                status=rng.choice(["checked_out", "checked_out", "in_house", "booked", "cancelled", "no_show"]),
                room_revenue=Decimal(rng.randrange(0, 90000)) / 100,
            )
        )
    Stay.objects.bulk_create(rows)
    complaint_rows = []
    for i in range(complaints):
        hotel = rng.choice(tenant.hotels)
        day = TODAY - datetime.timedelta(days=rng.randrange(0, 3 * 365))
        # Around local midnight on purpose: the UTC day and the local day differ there.
        local = datetime.datetime.combine(
            day, datetime.time(rng.choice([0, 23]), rng.choice([5, 30, 55])), tzinfo=hotel.tz
        )
        complaint_rows.append(_complaint_row(tenant.organization, hotel, local, rng, i))
    from complaints.models import Complaint

    Complaint.objects.bulk_create(complaint_rows)


@pytest.mark.parametrize("seed", [3, 17, 2026])
def test_every_dashboard_count_equals_the_rows_of_its_drill_down(tenants, seed):
    rng = random.Random(seed)
    a = tenants.a
    _generate_history(a, rng)
    _generate_history(tenants.b, rng)  # the other tenant's rows never count
    services.rollups_refresh_dirty(organization=a.organization)
    assert _marks(a.organization) == set()
    for _ in range(12):
        is_group = rng.random() < 0.4
        hotels = a.hotels if is_group else [rng.choice(a.hotels)]
        scope = Scope(a.organization, hotels, is_group, hotels[0])
        length = rng.choice([1, 7, 31, 90, 365, 500])  # including ranges older than 60 days and longer than a year
        start = TODAY - datetime.timedelta(days=rng.randrange(0, 3 * 365))
        end = start + datetime.timedelta(days=length - 1)
        stays = stay_section(scope=scope, start=start, end=end)
        assert stays["totals"]["arrivals"] == stay_drill(scope=scope, start=start, end=end).count()
        assert stays["totals"]["new_guests"] == stay_drill(scope=scope, start=start, end=end, only_new=True).count()
        for dimension, values in stays["by_dimension"].items():
            for row in values:
                drill = stay_drill(scope=scope, start=start, end=end, dimension=dimension, value=row["value"])
                assert row["arrivals"] == drill.count(), (dimension, row["value"], start, end)
        complaints = complaint_section(scope=scope, start=start, end=end)
        assert complaints["totals"]["received"] == complaint_drill(scope=scope, start=start, end=end).count()
        for row in complaints["by_dimension"]["category"]:
            drill = complaint_drill(scope=scope, start=start, end=end, dimension="category", value=row["value"])
            assert row["received"] == drill.count(), (row["value"], start, end)
