"""Points issued, redeemed and expired on the dashboard against the raw ledger, and the rows behind them."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from hotelcrm.models import Role
from loyalty import services as loyalty
from loyalty.models import LedgerEntry
from reports import services as report_services
from reports.selectors import Scope, loyalty_section
from tests.factories import GuestFactory
from tests.reports.data import END, START, _at

KINDS = {"earn": "issued", "redeem": "redeemed", "expire": "expired"}


def _generate(tenant, seed):
    """Entries of each kind at both hotels and of no hotel, on business dates around the period's
    edges, written at local times that say nothing about them (the dashboard counts business dates)."""
    rng = random.Random(seed)
    desk = tenant.users[Role.FRONT_DESK]
    members = [
        loyalty.membership_enrol(
            guest=GuestFactory(organization=tenant.organization), actor=desk, hotel=tenant.hotels[0]
        )
        for _ in range(3)
    ]
    moments = []
    for _i in range(60):
        hotel = rng.choice([*tenant.hotels, None])
        day = START - datetime.timedelta(days=5) + datetime.timedelta(days=rng.randrange(0, 42))
        moments.append((hotel, day, rng.choice([0, 12, 23])))
    for hotel in tenant.hotels:  # 23:30 local on the last day counts; 00:05 after it does not
        moments += [(hotel, END, 23), (hotel, END + datetime.timedelta(days=1), 0)]
    for i, (hotel, day, hour) in enumerate(moments):
        kind = rng.choice(list(KINDS))
        points = rng.randint(10, 500) * (1 if kind == "earn" else -1)
        at = (
            _at(hotel, day, hour, 30 if hour else 5)
            if hotel
            else datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=datetime.UTC)
        )
        # Written at `at` (the old clock of the figures) but dated a random 0-400 days earlier.
        business_on = day - datetime.timedelta(days=rng.choice([0, 0, 1, 35, 400]))
        LedgerEntry.objects.create(
            organization=tenant.organization,
            membership=rng.choice(members),
            hotel=hotel,
            kind=kind,
            points=points,
            source_type="adjustment",
            idempotency_key=f"fig-{seed}-{i}",
            created_at=at,
            business_on=business_on,
        )


def _expected(tenant, hotels, is_group):
    """Sum per kind of the entries whose business date falls in the period, from the raw rows."""
    sums, ids = defaultdict(int), defaultdict(set)
    for entry in LedgerEntry.objects.for_org(tenant.organization).select_related("hotel"):
        if entry.hotel_id is None and not is_group:
            continue
        if entry.hotel_id is not None and entry.hotel_id not in {h.pk for h in hotels}:
            continue
        if START <= entry.business_on <= END and entry.kind in KINDS:
            sums[entry.kind] += abs(entry.points)
            ids[entry.kind].add(entry.pk)
    return sums, ids


@pytest.fixture
def ledger(tenants):
    _generate(tenants.a, seed=5)
    _generate(tenants.b, seed=6)
    for tenant in (tenants.a, tenants.b):
        report_services.rollups_rebuild(
            organization=tenant.organization,
            hotels=tenant.hotels,
            start=START - datetime.timedelta(days=450),
            end=END + datetime.timedelta(days=40),
        )
    return tenants


@pytest.mark.parametrize("is_group", [False, True])
def test_points_figures_equal_the_raw_ledger_and_the_drill_lists_exactly_those_entries(client, ledger, is_group):
    a = ledger.a
    hotels = a.hotels if is_group else a.hotels[:1]
    sums, ids = _expected(a, hotels, is_group)
    assert all(sums[kind] for kind in KINDS)
    section = loyalty_section(scope=Scope(a.organization, hotels, is_group, hotels[0]), start=START, end=END)
    assert {KINDS[kind]: section[KINDS[kind]] for kind in KINDS} == {KINDS[kind]: sums[kind] for kind in KINDS}

    client.force_login(a.users[Role.GROUP_ADMIN if is_group else Role.MANAGER])
    params = {"start": str(START), "end": str(END), **({"group": "1"} if is_group else {})}
    page = client.get(reverse("reports:dashboard"), params).content.decode()
    assert f"{reverse('reports:ledger-entries')}?start={START}&amp;end={END}" in page
    for kind in KINDS:
        response = client.get(reverse("reports:ledger-entries"), {**params, "kind": kind})
        assert response.status_code == 200
        listed = set(response.context["page"].paginator.object_list.values_list("pk", flat=True))
        assert listed == ids[kind]
        assert "Bravo" not in response.content.decode()


def test_the_drill_refuses_a_bad_kind_clearly_and_front_desk_entirely(client, ledger):
    a = ledger.a
    client.force_login(a.users[Role.MANAGER])
    response = client.get(reverse("reports:ledger-entries"), {"start": str(START), "end": str(END), "kind": "steal"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    client.force_login(a.users[Role.FRONT_DESK])
    assert client.get(reverse("reports:ledger-entries"), {"kind": "earn"}).status_code in (403, 404)


def test_the_export_of_the_rows_is_audited(client, ledger):
    from hotelcrm.models import AuditEvent

    a = ledger.a
    client.force_login(a.users[Role.MANAGER])
    before = AuditEvent.objects.for_org(a.organization).count()
    response = client.get(
        reverse("reports:ledger-entries"), {"start": str(START), "end": str(END), "kind": "earn", "format": "csv"}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.for_org(a.organization).count() == before + 1


def test_members_per_tier_open_the_member_list_of_that_tier(client, tenants):
    a = tenants.a
    report_services.rfm_refresh(organization=a.organization, as_of=END)
    client.force_login(a.users[Role.GROUP_ADMIN])
    page = client.get(
        reverse("reports:dashboard"), {"start": str(START), "end": str(END), "group": "1"}
    ).content.decode()
    from reports.models import TierCount

    tier = TierCount.objects.for_org(a.organization).exclude(tier_code="alpha-tier").first()
    assert f"{reverse('loyalty:members')}?tier={tier.tier_code}" in page
    listed = client.get(reverse("loyalty:members"), {"tier": tier.tier_code})
    assert listed.status_code == 200


def test_the_drill_page_does_not_query_per_row(client, ledger, django_assert_max_num_queries):
    client.force_login(ledger.a.users[Role.GROUP_ADMIN])
    with django_assert_max_num_queries(25):
        response = client.get(
            reverse("reports:ledger-entries"), {"start": str(START), "end": str(END), "group": "1", "kind": "earn"}
        )
    assert response.status_code == 200 and len(response.context["rows"]) >= 5


def _checked_out_stay(tenant, guest, *, departure_on, room_revenue=Decimal("1000.00"), reservation):
    from guests.models import Stay, StayStatus
    from hotelcrm.domain_events import stay_changed

    stay = Stay.objects.create(
        organization=tenant.organization,
        hotel=tenant.hotels[0],
        guest=guest,
        pms_reservation_id=reservation,
        arrival_on=departure_on - datetime.timedelta(days=2),
        departure_on=departure_on,
        status=StayStatus.CHECKED_OUT,
        room_revenue=room_revenue,
    )
    stay_changed.send(sender=Stay, stay=stay, previous_status=StayStatus.IN_HOUSE, actor=None, source="test")
    return stay


def test_a_back_dated_stay_is_issued_in_its_month_and_the_dirty_day_refresh_finds_it(tenants):
    """Points of a stay sent today for a checkout in the period count in the period, not today; the
    entries mark their business date, which the refresh (every two minutes) recomputes, though the
    nightly window has long passed it."""
    a = tenants.a
    hotel = a.hotels[0]
    member = loyalty.membership_enrol(guest=GuestFactory(organization=a.organization), actor=None)
    today = loyalty.local_today(a.organization.pk)
    # A refresh ran last night: the window it covers ends long after END.
    report_services.rollup_refresh_hotel(hotel=hotel, local_date=today - datetime.timedelta(days=1))
    scope = Scope(a.organization, [hotel], False, hotel)
    before = loyalty_section(scope=scope, start=START, end=END)["issued"]
    _checked_out_stay(a, member.guest, departure_on=START + datetime.timedelta(days=3), reservation="BACK-1")
    issued = sum(
        LedgerEntry.objects.for_org(a.organization)
        .filter(membership_id=member.pk, kind="earn", business_on__range=(START, END))
        .values_list("points", flat=True)
    )
    assert issued == 100 + 500  # 10 per 100 of room, and the first stay bonus
    report_services.rollups_refresh_dirty(organization=a.organization)
    after = loyalty_section(scope=scope, start=START, end=END)
    assert after["issued"] == before + issued
