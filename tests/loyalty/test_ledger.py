"""The points ledger: enrolment, earn / redeem / reverse / adjust, FIFO lots, append-only, checks."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError

from guests.models import StayStatus
from hotelcrm.domain_events import guest_merged, stay_changed
from hotelcrm.models import Role
from loyalty import selectors, services
from loyalty.exceptions import (
    AdjustmentStateError,
    AlreadyMember,
    IdempotencyConflict,
    InsufficientPoints,
    LoyaltyError,
    RewardUnavailable,
)
from loyalty.models import (
    AdjustmentStatus,
    EntryKind,
    LedgerEntry,
    Membership,
    MembershipStatus,
    OrderStatus,
    RewardKind,
    SourceType,
    luhn_check_digit,
    luhn_is_valid,
    member_number_for,
)
from tests.factories import GuestFactory, StayFactory


@pytest.fixture
def a(tenants):
    return tenants.a


@pytest.fixture
def member(a):
    guest = GuestFactory(organization=a.organization, family_name="Lin", given_name="Mei")
    return services.membership_enrol(guest=guest, actor=a.users[Role.FRONT_DESK], hotel=a.hotels[0])


def lots(membership):
    return list(
        LedgerEntry.objects.for_org(membership.organization_id)
        .filter(membership_id=membership.pk, kind=EntryKind.EARN)
        .order_by("pk")
        .values_list("points", "remaining")
    )


def fresh(membership):
    return Membership.objects.for_org(membership.organization_id).get(pk=membership.pk)


def test_member_numbers_carry_a_luhn_check_digit_and_are_unique(a, member):
    assert luhn_is_valid(member.member_number) and len(member.member_number) == 10
    assert luhn_check_digit("7992739871") == "3"
    other = services.membership_enrol(guest=GuestFactory(organization=a.organization), actor=None)
    assert other.member_number != member.member_number and luhn_is_valid(other.member_number)
    typo = member.member_number[:-1] + str((int(member.member_number[-1]) + 1) % 10)
    assert not luhn_is_valid(typo)
    assert selectors.membership_by_number(organization=a.organization, number=typo) is None
    assert selectors.membership_by_number(organization=a.organization, number=member.member_number).pk == member.pk
    assert member_number_for(1) == "0000000018"


def test_a_guest_cannot_enrol_twice(a, member):
    with pytest.raises(AlreadyMember):
        services.membership_enrol(guest=member.guest, actor=None)


def test_redeeming_spends_the_oldest_lots_first_and_never_goes_negative(a, member):
    services.points_award(membership=member, points=100, idempotency_key="k1")
    services.points_award(membership=member, points=50, idempotency_key="k2")
    services.points_redeem(membership=member, points=120, idempotency_key="r1")
    assert lots(member) == [(100, 0), (50, 30)]
    assert fresh(member).balance == 30 == selectors.ledger_balance(membership=member)
    with pytest.raises(InsufficientPoints):
        services.points_redeem(membership=member, points=31, idempotency_key="r2")
    assert fresh(member).balance == 30


def test_a_repeated_idempotency_key_changes_nothing_and_a_reused_one_is_refused(a, member):
    first = services.points_award(membership=member, points=100, idempotency_key="same")
    again = services.points_award(membership=member, points=100, idempotency_key="same")
    assert first.pk == again.pk and fresh(member).balance == 100
    with pytest.raises(IdempotencyConflict):
        services.points_award(membership=member, points=99, idempotency_key="same")


@pytest.mark.parametrize("points", [0, -5])
def test_bad_amounts_are_refused(member, points):
    with pytest.raises(LoyaltyError):
        services.points_award(membership=member, points=points, idempotency_key="bad")
    with pytest.raises(LoyaltyError):
        services.points_redeem(membership=member, points=points, idempotency_key="bad2")


def test_reversing_an_earn_the_member_partly_spent_takes_only_what_is_left(a, member):
    earn = services.points_award(membership=member, points=100, idempotency_key="e")
    services.points_redeem(membership=member, points=70, idempotency_key="r")
    reversal = services.points_reverse(entry=earn, actor=a.users[Role.MANAGER], reason="Billing error")
    assert reversal.points == -30 and reversal.details["shortfall"] == 70
    assert fresh(member).balance == 0
    assert services.points_reverse(entry=earn, actor=None, reason="again").pk == reversal.pk  # once only


def test_cancelling_an_order_puts_the_points_back_into_the_same_lots(a, member):
    hotel, desk = a.hotels[0], a.users[Role.FRONT_DESK]
    services.points_award(membership=member, points=300, idempotency_key="e1")
    services.points_award(membership=member, points=300, idempotency_key="e2")
    reward = services.reward_save(
        organization=a.organization,
        actor=desk,
        data={"kind": RewardKind.SPA, "name": "Spa", "points_price": 400, "stock": 1},
    )
    order = services.reward_order_place(membership=member, reward=reward, hotel=hotel, actor=desk, idempotency_key="o1")
    assert lots(member) == [(300, 0), (300, 200)]
    assert (
        services.reward_order_place(membership=member, reward=reward, hotel=hotel, actor=desk, idempotency_key="o1").pk
        == order.pk
    )
    with pytest.raises(RewardUnavailable):  # the only one is taken
        services.reward_order_place(membership=member, reward=reward, hotel=hotel, actor=desk, idempotency_key="o2")
    services.reward_order_cancel(order=order, actor=desk, reason="Guest changed plans")
    assert lots(member) == [(300, 300), (300, 300)]
    assert fresh(member).balance == 600
    reward.refresh_from_db()
    assert reward.stock == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_adjustments_above_the_threshold_wait_for_another_manager(a, member):
    desk, manager = a.users[Role.FRONT_DESK], a.users[Role.MANAGER]
    small = services.adjustment_request(
        membership=member, points=100, reason="Late room", actor=desk, hotel=a.hotels[0]
    )
    assert small.status == AdjustmentStatus.APPLIED and fresh(member).balance == 100
    big = services.adjustment_request(
        membership=member, points=5000, reason="Big apology", actor=manager, hotel=a.hotels[0]
    )
    assert big.status == AdjustmentStatus.PENDING and fresh(member).balance == 100
    with pytest.raises(AdjustmentStateError):
        services.adjustment_decide(adjustment=big, actor=manager, approve=True)
    services.adjustment_decide(adjustment=big, actor=a.users[Role.GROUP_ADMIN], approve=True)
    assert fresh(member).balance == 5100
    with pytest.raises(AdjustmentStateError):
        services.adjustment_decide(adjustment=big, actor=a.users[Role.GROUP_ADMIN], approve=False)
    with pytest.raises(LoyaltyError):
        services.adjustment_request(membership=member, points=10, reason="  ", actor=desk, hotel=a.hotels[0])


def test_the_database_refuses_to_change_or_delete_an_entry(member):
    entry = services.points_award(membership=member, points=100, idempotency_key="x")
    for sql in (
        "UPDATE loyalty_ledgerentry SET points = 1 WHERE id = %s",
        "UPDATE loyalty_ledgerentry SET kind = 'redeem' WHERE id = %s",
        "DELETE FROM loyalty_ledgerentry WHERE id = %s",
    ):
        with pytest.raises((InternalError, ProgrammingError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    with transaction.atomic(), connection.cursor() as cursor:  # what FIFO and merges need still works
        cursor.execute("UPDATE loyalty_ledgerentry SET remaining = 10 WHERE id = %s", [entry.pk])
        transaction.set_rollback(True)


def test_a_tenant_purge_deletes_memberships_then_their_entries(member):
    services.points_award(membership=member, points=100, idempotency_key="x")
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (
            "loyalty_ledgerallocation",
            "loyalty_adjustmentrequest",
            "loyalty_redemptionorder",
            "loyalty_membership",
            "loyalty_ledgerentry",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [member.organization_id])
        cursor.execute("SELECT count(*) FROM loyalty_ledgerentry WHERE organization_id = %s", [member.organization_id])
        assert cursor.fetchone()[0] == 0
        transaction.set_rollback(True)


def test_the_balance_check_passes_and_then_reports_drift(a, member, capsys):
    services.points_award(membership=member, points=100, idempotency_key="x")
    call_command("loyalty_check_balances")
    Membership.objects.for_org(a.organization).filter(pk=member.pk).update(balance=99)
    with pytest.raises(CommandError) as caught:
        call_command("loyalty_check_balances")
    assert caught.value.returncode == 1
    assert f"membership={member.pk}" in capsys.readouterr().out


# --- Stays --------------------------------------------------------------------------------------


def _stay(a, guest, **kw):
    defaults = dict(
        hotel=a.hotels[0],
        organization=a.organization,
        guest=guest,
        status=StayStatus.IN_HOUSE,
        arrival_on=datetime.date(2026, 3, 1),
        departure_on=datetime.date(2026, 3, 4),
        room_revenue=Decimal("1500.00"),
        fb_revenue=Decimal("250.00"),
        other_revenue=Decimal("300.00"),
    )
    defaults.update(kw)
    return StayFactory(**defaults)


def _send(stay, previous):
    stay_changed.send(sender=type(stay), stay=stay, previous_status=previous, actor=None, source="test")


def _stay_net(stay):
    return sum(
        LedgerEntry.objects.for_org(stay.organization_id)
        .filter(
            source_id=str(stay.pk), source_type__in=[SourceType.STAY, SourceType.STAY_BIRTHDAY, SourceType.FIRST_STAY]
        )
        .values_list("points", flat=True)
    )


def test_a_checkout_delivered_twice_awards_once(a, member):
    stay = _stay(a, member.guest)
    stay.status = StayStatus.CHECKED_OUT
    stay.save()
    _send(stay, StayStatus.IN_HOUSE)
    _send(stay, StayStatus.IN_HOUSE)
    # 10 per 100 of room (150) + F&B (25); other revenue earns nothing by default; + first stay 500.
    assert fresh(member).balance == 175 + 500 == _stay_net(stay)
    base = LedgerEntry.objects.for_org(a.organization).get(source_type=SourceType.STAY, source_id=str(stay.pk))
    assert (base.qualifying_nights, base.qualifying_stays, base.qualifying_spend) == (3, 1, Decimal("2050.00"))


def test_a_corrected_then_cancelled_stay_is_corrected_exactly(a, member):
    first = _stay(a, member.guest, status=StayStatus.CHECKED_OUT, pms_reservation_id="FIRST")
    _send(first, StayStatus.IN_HOUSE)
    stay = _stay(
        a,
        member.guest,
        status=StayStatus.CHECKED_OUT,
        arrival_on=datetime.date(2026, 4, 1),
        departure_on=datetime.date(2026, 4, 2),
    )
    _send(stay, StayStatus.IN_HOUSE)
    assert _stay_net(stay) == 175
    stay.room_revenue = Decimal("1000.00")
    stay.save()
    _send(stay, StayStatus.CHECKED_OUT)
    assert _stay_net(stay) == 125
    stay.status = StayStatus.CANCELLED
    stay.save()
    _send(stay, StayStatus.CHECKED_OUT)
    _send(stay, StayStatus.CHECKED_OUT)
    assert _stay_net(stay) == 0
    assert fresh(member).balance == 675 == selectors.ledger_balance(membership=member)
    nights = sum(
        LedgerEntry.objects.for_org(a.organization)
        .filter(source_id=str(stay.pk))
        .values_list("qualifying_nights", flat=True)
    )
    assert nights == 0


def test_a_birthday_stay_earns_the_bonus_and_non_members_earn_nothing(a, member):
    guest = member.guest
    services_guest = __import__("guests.services", fromlist=["guest_birth_date_set"])
    services_guest.guest_birth_date_set(guest=guest, birth_date=datetime.date(1990, 3, 2), actor=None)
    guest.refresh_from_db()
    stay = _stay(a, guest, status=StayStatus.CHECKED_OUT)
    _send(stay, StayStatus.IN_HOUSE)
    assert fresh(member).balance == 175 + 500 + 300
    stranger = _stay(
        a, GuestFactory(organization=a.organization), status=StayStatus.CHECKED_OUT, pms_reservation_id="X1"
    )
    _send(stranger, StayStatus.IN_HOUSE)
    assert _stay_net(stranger) == 0


def test_a_higher_tier_earns_more(a, member):
    gold = selectors.tiers_of(organization=a.organization)[2]
    Membership.objects.for_org(a.organization).filter(pk=member.pk).update(tier=gold)
    stay = _stay(a, member.guest, status=StayStatus.CHECKED_OUT)
    _send(stay, StayStatus.IN_HOUSE)
    assert LedgerEntry.objects.for_org(a.organization).get(source_type=SourceType.STAY).points == 218  # 175 x 1.25


def test_merging_two_members_keeps_every_entry_on_the_survivor(a, member):
    from guests.merge import guest_merge

    other = services.membership_enrol(guest=GuestFactory(organization=a.organization), actor=None)
    services.points_award(membership=member, points=100, idempotency_key="m1")
    services.points_award(membership=other, points=40, idempotency_key="o1")
    guest_merge(survivor=member.guest, merged=other.guest, field_choices={}, actor=a.users[Role.MANAGER])
    assert fresh(member).balance == 140 == selectors.ledger_balance(membership=member)
    old = fresh(other)
    assert old.status == MembershipStatus.MERGED and old.balance == 0 and old.merged_into_id == member.pk
    assert selectors.membership_by_number(organization=a.organization, number=other.member_number).pk == member.pk
    call_command("loyalty_check_balances")


def test_a_merge_where_only_the_merged_profile_is_a_member_moves_the_membership(a, member):
    from guests.merge import guest_merge

    services.points_award(membership=member, points=100, idempotency_key="m1")
    survivor = GuestFactory(organization=a.organization)
    guest_merge(survivor=survivor, merged=member.guest, field_choices={}, actor=a.users[Role.MANAGER])
    assert selectors.membership_for_guest(organization=a.organization, guest_id=survivor.pk).balance == 100


def test_guest_merged_signal_with_no_members_does_nothing(a):
    guest_merged.send(sender=None, survivor=a.guests[0], merged=a.guests[1], actor=None)
