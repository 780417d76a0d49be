"""Loyalty by business date: a stay earns, expires, counts for tiers and shows on the dashboard on
its checkout date, whenever it is recorded; empty stays earn nothing; the batch path writes the
same ledger as one stay at a time.

Property tests run random histories (stays from four years ago to today, empty ones, cancelled
ones, corrected ones, one at a time or in batches) and check the ledger against itself and the
tiers against an independent computation from the stays.
"""

import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guests.models import Stay, StayStatus
from hotelcrm.domain_events import stay_changed, stays_changed
from loyalty import jobs, selectors, services
from loyalty.models import EntryKind, JobKind, LedgerEntry, Membership, Program, SourceType, Tier
from tests.factories import GuestFactory, HotelFactory, OrganizationFactory


def _fresh(membership):
    return Membership.objects.for_org(membership.organization_id).select_related("tier").get(pk=membership.pk)


def _stay(
    hotel, guest, *, departure_on, nights=2, room_revenue=Decimal("1000.00"), reservation, status=StayStatus.CHECKED_OUT
):
    return Stay.objects.create(
        organization_id=hotel.organization_id,
        hotel=hotel,
        guest=guest,
        pms_reservation_id=reservation,
        arrival_on=departure_on - datetime.timedelta(days=nights),
        departure_on=departure_on,
        status=status,
        room_revenue=room_revenue,
    )


def _send(stay, previous=StayStatus.IN_HOUSE):
    stay_changed.send(sender=Stay, stay=stay, previous_status=previous, actor=None, source="test")


@pytest.fixture
def world(db):
    organization = OrganizationFactory()
    hotel = HotelFactory(organization=organization, time_zone="Asia/Shanghai")
    member = services.membership_enrol(guest=GuestFactory(organization=organization), actor=None)
    return organization, hotel, member


def _entries(member, **filters):
    return LedgerEntry.objects.for_org(member.organization_id).filter(membership_id=member.pk, **filters)


def test_a_three_year_old_imported_stay_is_dated_at_the_stay_expired_and_upgrades_no_one(world):
    organization, hotel, member = world
    today = services.local_today(organization.pk)
    checkout = today - relativedelta(years=3)
    # 40 nights and 45,000 of revenue: Gold by any measure, had it been this year.
    stay = _stay(
        hotel, member.guest, departure_on=checkout, nights=40, room_revenue=Decimal("45000.00"), reservation="OLD-1"
    )
    _send(stay)
    earned = _entries(member, kind=EntryKind.EARN)
    assert {e.business_on for e in earned} == {checkout}
    assert {e.expires_on for e in earned} == {checkout + relativedelta(months=24)}
    assert {e.remaining for e in earned} == {0}
    expired = list(_entries(member, kind=EntryKind.EXPIRE))
    assert sorted(-e.points for e in expired) == sorted(e.points for e in earned)
    assert {e.business_on for e in expired} == {checkout + relativedelta(months=24)}
    assert all(e.details["on_arrival"] and e.reason for e in expired)
    fresh = _fresh(member)
    assert fresh.balance == 0 == selectors.ledger_balance(membership=fresh)
    assert fresh.last_activity_on is None or fresh.last_activity_on < today  # an old stay is no activity today

    jobs.run_job(organization_id=organization.pk, job=JobKind.TIERS, local_date=today)
    assert _fresh(member).tier.rank == 0

    # The same stay checked out last month does upgrade (and its points are alive).
    recent = _stay(
        hotel,
        member.guest,
        departure_on=today - relativedelta(months=1),
        nights=40,
        room_revenue=Decimal("45000.00"),
        reservation="NEW-1",
    )
    _send(recent)
    jobs.run_job(organization_id=organization.pk, job=JobKind.TIERS, local_date=today + datetime.timedelta(days=1))
    fresh = _fresh(member)
    assert fresh.tier.code == "gold" and fresh.balance == 4500


def test_a_batch_of_back_dated_checkouts_writes_what_one_at_a_time_writes(world):
    organization, hotel, member = world
    other = services.membership_enrol(guest=GuestFactory(organization=organization), actor=None)
    today = services.local_today(organization.pk)
    days = [today - relativedelta(years=3), today - relativedelta(months=5), today - datetime.timedelta(days=1)]
    batch = [_stay(hotel, member.guest, departure_on=d, reservation=f"B-{i}") for i, d in enumerate(days)]
    stays_changed.send(sender=Stay, changes=[(s, StayStatus.IN_HOUSE) for s in batch], actor=None, source="test")
    for i, d in enumerate(days):
        _send(_stay(hotel, other.guest, departure_on=d, reservation=f"O-{i}"))

    def shape(m):
        return sorted(
            (
                e.kind,
                e.points,
                e.remaining,
                e.expires_on,
                e.business_on,
                e.source_type,
                e.qualifying_nights,
                e.qualifying_stays,
                e.qualifying_spend,
            )
            for e in _entries(m)
        )

    assert shape(member) == shape(other)
    # The three-year-old stay is the first (its bonus expired with its points): 100 + 100 alive.
    assert _fresh(member).balance == _fresh(other).balance == 200 == selectors.ledger_balance(membership=member)
    assert _fresh(member).last_activity_on == _fresh(other).last_activity_on == days[-1]
    # Redelivered: nothing more.
    stays_changed.send(sender=Stay, changes=[(s, StayStatus.CHECKED_OUT) for s in batch], actor=None, source="test")
    assert shape(member) == shape(other)


def test_the_nightly_expiry_dates_each_expiry_at_its_due_date_when_it_catches_up(world):
    organization, hotel, member = world
    services.points_award(membership=member, points=100, idempotency_key="k1")
    due = services.local_today(organization.pk) + relativedelta(months=24)
    jobs.run_job(organization_id=organization.pk, job=JobKind.EXPIRY, local_date=due + datetime.timedelta(days=9))
    (expired,) = _entries(member, kind=EntryKind.EXPIRE)
    assert expired.points == -100 and expired.business_on == due


@pytest.mark.parametrize("nights,revenue", [(0, Decimal("800.00")), (2, Decimal("0.00")), (0, Decimal("0.00"))])
def test_an_empty_stay_earns_nothing_and_no_first_stay_bonus(world, nights, revenue):
    organization, hotel, member = world
    stay = _stay(
        hotel,
        member.guest,
        departure_on=services.local_today(organization.pk),
        nights=nights,
        room_revenue=revenue,
        reservation="EMPTY",
    )
    _send(stay)
    assert not _entries(member).exists()
    assert _fresh(member).balance == 0
    # The next real stay is the first stay that earns the bonus.
    real = _stay(hotel, member.guest, departure_on=services.local_today(organization.pk), reservation="REAL")
    _send(real)
    assert _entries(member, source_type=SourceType.FIRST_STAY).get().source_id == str(real.pk)


def test_the_minimums_are_the_programme_s_to_set(world):
    organization, hotel, member = world
    Program.objects.for_org(organization).update(
        earn_min_nights=2,
        earn_min_revenue=Decimal("300"),
        first_stay_min_nights=3,
        first_stay_min_revenue=Decimal("2000"),
    )
    today = services.local_today(organization.pk)
    one_night = _stay(hotel, member.guest, departure_on=today, nights=1, room_revenue=Decimal("5000"), reservation="S1")
    _send(one_night)
    assert not _entries(member).exists()
    two_nights = _stay(
        hotel, member.guest, departure_on=today, nights=2, room_revenue=Decimal("1000"), reservation="S2"
    )
    _send(two_nights)  # earns, but is too short for the first stay bonus
    assert sorted(_entries(member).values_list("source_type", "points")) == [(SourceType.STAY, 100)]
    long = _stay(hotel, member.guest, departure_on=today, nights=3, room_revenue=Decimal("2000"), reservation="S3")
    _send(long)
    assert _entries(member, source_type=SourceType.FIRST_STAY).get().source_id == str(long.pk)


# --- Property tests ---------------------------------------------------------------------------

stay_histories = st.lists(
    st.fixed_dictionaries(
        {
            "days_ago": st.one_of(st.integers(0, 400), st.integers(700, 1500)),
            "nights": st.integers(0, 12),
            "revenue": st.sampled_from(
                [Decimal("0"), Decimal("0.50"), Decimal("350"), Decimal("2400.10"), Decimal("9000")]
            ),
            # what happens to the stay: checked out; checked out then corrected; checked out then cancelled
            "fate": st.sampled_from(["out", "out", "corrected", "cancelled"]),
            "batched": st.booleans(),
        }
    ),
    min_size=1,
    max_size=14,
)


def _tier_by_business_date(program, tiers, stays, today):
    """The tier the stays earn, from the stays alone: qualifying stays checked out in the 12 months
    up to `today` by their checkout date, each threshold on its own."""
    start = today - relativedelta(months=12)
    counted = [
        s
        for s in stays
        if s.status == StayStatus.CHECKED_OUT
        and start <= s.departure_on <= today
        and s.nights >= program.earn_min_nights
        and s.room_revenue + s.fb_revenue + s.other_revenue >= program.earn_min_revenue
    ]
    nights = sum(s.nights for s in counted)
    spend = sum((s.room_revenue + s.fb_revenue + s.other_revenue for s in counted), Decimal("0"))
    best = min(tiers, key=lambda t: t.rank)
    for tier in sorted(tiers, key=lambda t: t.rank):
        met = [
            (tier.min_nights is not None and nights >= tier.min_nights),
            (tier.min_stays is not None and len(counted) >= tier.min_stays),
            (tier.min_spend is not None and spend >= tier.min_spend),
        ]
        if any(met):
            best = tier
    return best


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(history=stay_histories)
def test_random_histories_keep_the_ledger_exact_and_tiers_follow_business_dates(db, history):
    with transaction.atomic():
        organization = OrganizationFactory()
        hotel = HotelFactory(organization=organization, time_zone="America/New_York")
        member = services.membership_enrol(guest=GuestFactory(organization=organization), actor=None)
        program = services.program_ensure(organization=organization.pk)
        today = services.local_today(organization.pk)
        stays, batch = [], []

        def flush():
            if batch:
                stays_changed.send(sender=Stay, changes=list(batch), actor=None, source="test")
                batch.clear()

        def apply(stay, previous, batched):
            if batched:
                batch.append((stay, previous))
            else:
                flush()
                _send(stay, previous)

        for number, item in enumerate(history):
            departure = today - datetime.timedelta(days=item["days_ago"])
            stay = _stay(
                hotel,
                member.guest,
                departure_on=departure,
                nights=item["nights"],
                room_revenue=item["revenue"],
                reservation=f"H-{number}",
            )
            apply(stay, StayStatus.IN_HOUSE, item["batched"])
            flush()  # the later change of a stay comes in a later delivery
            if item["fate"] == "corrected":
                stay.room_revenue = stay.room_revenue / 2
                stay.save()
                apply(stay, StayStatus.CHECKED_OUT, item["batched"])
            elif item["fate"] == "cancelled":
                stay.status = StayStatus.CANCELLED
                stay.save()
                apply(stay, StayStatus.CHECKED_OUT, item["batched"])
            stays.append(stay)
        flush()

        fresh = _fresh(member)
        entries = list(_entries(member))
        assert fresh.balance >= 0
        assert fresh.balance == sum(e.points for e in entries) == sum(e.remaining for e in entries)
        assert not selectors.balance_drift(organization_id=organization.pk)
        by_stay = {str(s.pk): s for s in stays}
        for entry in entries:
            if entry.source_type in services.STAY_COMPONENTS:
                assert entry.business_on == by_stay[entry.source_id].departure_on
            if entry.points > 0 and entry.expires_on is not None and entry.expires_on <= today:
                assert entry.remaining == 0  # past its expiry on arrival: expired in the same transaction
        for entry in entries:
            if entry.kind == EntryKind.EXPIRE:
                lot = next(e for e in entries if e.pk == entry.details["lot"])
                assert entry.business_on == lot.expires_on
        # Every stay's points are exactly what it earns now (or 0), before expiry.
        for stay in stays:
            base = sum(e.points for e in entries if e.source_id == str(stay.pk) and e.source_type == SourceType.STAY)
            earns = stay.status == StayStatus.CHECKED_OUT and services.stay_earns(program, stay)
            if base >= 0 and not any(e.details.get("shortfall") for e in entries if e.source_id == str(stay.pk)):
                assert base == (int(stay.room_revenue * 10 / 100) if earns else 0)

        jobs.run_job(organization_id=organization.pk, job=JobKind.TIERS, local_date=today)
        tiers = list(Tier.objects.for_org(organization))
        assert _fresh(member).tier_id == _tier_by_business_date(program, tiers, stays, today).pk
        transaction.set_rollback(True)
