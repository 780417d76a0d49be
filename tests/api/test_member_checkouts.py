"""Checkouts of members through the batch endpoint are set-based: a batch of 200 member checkouts
costs the queries of a batch of 10, earns each stay's points once, dated at its checkout.

Run with `-s` to see the events/s of 200 member against 200 non-member checkouts (printed, not
asserted: the machine is shared)."""

import datetime
import time

from guests.models import Stay
from hotelcrm.models import Role
from integrations.models import GuestLink
from loyalty import selectors
from loyalty import services as loyalty
from loyalty.models import EntryKind, LedgerEntry, Membership, SourceType
from tests.factories import GuestFactory

T0 = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)


def _checkout(reservation, profile, *, departure="2026-11-13", revenue="1500.00"):
    arrival = (datetime.date.fromisoformat(departure) - datetime.timedelta(days=3)).isoformat()
    return {
        "reservation_id": reservation,
        "event": "checked_out",
        "version": 3,
        "event_at": T0.isoformat(),
        "arrival_on": arrival,
        "departure_on": departure,
        "pms_profile_id": profile,
        "details": {"room_type": "Deluxe", "room_revenue": revenue},
    }


def _guests(tenant, prefix, count, *, members):
    hotel = tenant.hotels[0]
    for i in range(count):
        guest = GuestFactory(organization=tenant.organization)
        GuestLink.objects.create(
            organization=tenant.organization, hotel=hotel, pms_profile_id=f"{prefix}-{i}", guest=guest
        )
        if members:
            loyalty.membership_enrol(guest=guest, actor=tenant.users[Role.MANAGER], hotel=hotel)


def _timed(pms, events):
    started = time.perf_counter()
    body = pms.post("/api/v1/stays/events/batch/", {"events": events}).json()
    seconds = time.perf_counter() - started
    assert body["errors"] == 0 and body["applied"] == len(events), body
    return len(events) / seconds


def test_member_checkouts_cost_the_same_queries_for_ten_or_two_hundred(api, tenants, django_assert_max_num_queries):
    a = tenants.a
    _guests(a, "M", 200, members=True)
    _guests(a, "N", 200, members=False)
    pms, _key = api()
    small = [_checkout(f"R-S{i}", f"M-{i}") for i in range(10)]
    with django_assert_max_num_queries(60) as small_queries:
        _timed(pms, small)
    # 200 members, some with stays of years ago (points expired on arrival, dated at the stay).
    large = [_checkout(f"R-L{i}", f"M-{i}", departure="2022-05-02" if i % 4 == 0 else "2026-11-13") for i in range(200)]
    with django_assert_max_num_queries(len(small_queries) + 6):
        members_rate = _timed(pms, large)
    non_members_rate = _timed(pms, [_checkout(f"R-N{i}", f"N-{i}") for i in range(200)])
    print(
        f"\n200 member checkouts: {members_rate:.0f} events/s; 200 non-member checkouts: {non_members_rate:.0f} events/s"
    )

    entries = LedgerEntry.objects.for_org(a.organization)
    stays = {str(s.pk): s for s in Stay.objects.for_hotel(a.hotels[0]).filter(pms_reservation_id__startswith="R-L")}
    base = entries.filter(source_type=SourceType.STAY, source_id__in=list(stays))
    assert base.count() == 200 and all(
        e.points == 150 and e.business_on == stays[e.source_id].departure_on for e in base
    )
    old = [e for e in base if e.business_on.year == 2022]
    assert len(old) == 50 and all(e.remaining == 0 for e in old)
    assert entries.filter(kind=EntryKind.EXPIRE, details__lot__in=[e.pk for e in old]).count() == 50
    assert not selectors.balance_drift(organization_id=a.organization.pk)
    # Redelivered: nothing more.
    count = entries.count()
    pms.post("/api/v1/stays/events/batch/", {"events": large})
    assert entries.count() == count
    total = sum(Membership.objects.for_org(a.organization).values_list("balance", flat=True))
    assert total == sum(entries.values_list("points", flat=True)) == sum(entries.values_list("remaining", flat=True))
