"""Loyalty writes: every movement of points goes through `_post`, under the membership's row lock.

Why the lock: two redemptions of the same balance, a redemption racing the expiry job, or a
stay checkout delivered twice at once must see each other's result. Every write of a member's
entries and lots first takes `SELECT ... FOR UPDATE` on that member's Membership row, so they
run one after the other and each one reads the balance the previous one left. Operations that
lock two memberships (a merge) lock them lower id first.

Public functions for other apps (PMS API, complaints, guests):
  membership_enrol, points_award, points_redeem, points_reverse, adjustment_request,
  reward_order_place / _fulfil / _cancel, stay_points_sync, stays_points_sync, membership_fold.
Reads are in loyalty/selectors.py (member_balance, member_statement, membership_for_guest...).
"""

import datetime
from decimal import ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Abs, Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from hotelcrm.audit import audit_record, audit_record_many
from loyalty.exceptions import (
    AdjustmentStateError,
    AlreadyMember,
    IdempotencyConflict,
    InsufficientPoints,
    LoyaltyError,
    NotAMember,
    OrderStateError,
    PointsLimitExceeded,
    RewardUnavailable,
)
from loyalty.models import (
    AdjustmentRequest,
    AdjustmentStatus,
    EntryKind,
    LedgerAllocation,
    LedgerEntry,
    Membership,
    MembershipStatus,
    OrderStatus,
    Program,
    RedemptionOrder,
    Reward,
    SourceType,
    Tier,
    member_number_for,
)

DEFAULT_TIERS = (
    # code, name, rank, nights, stays, spend, multiplier, benefits
    ("member", "Member", 0, None, None, None, Decimal("1.00"), "Member rates; points on room and F&B spend."),
    (
        "silver",
        "Silver",
        1,
        10,
        5,
        Decimal("10000"),
        Decimal("1.10"),
        "10% bonus points; late checkout until 13:00 on request.",
    ),
    (
        "gold",
        "Gold",
        2,
        25,
        12,
        Decimal("30000"),
        Decimal("1.25"),
        "25% bonus points; room upgrade when available; welcome drink; priority booking.",
    ),
    (
        "platinum",
        "Platinum",
        3,
        50,
        25,
        Decimal("80000"),
        Decimal("1.50"),
        "50% bonus points; suite upgrade when available; guaranteed late checkout 16:00; birthday cake; member events.",
    ),
)


def local_today(organization_id):
    """The organization's date: in the time zone of its first hotel (the group's home)."""
    from hotelcrm.selectors import home_hotel

    hotel = home_hotel(organization_id)
    now = timezone.now()
    return now.astimezone(hotel.tz).date() if hotel is not None else now.date()


# --- Program ----------------------------------------------------------------------------------


def program_ensure(*, organization):
    """The organization's program, created with the default tiers the first time it is needed."""
    organization_id = getattr(organization, "pk", organization)
    program = Program.objects.for_org(organization_id).first()
    if program is not None:
        return program
    with transaction.atomic():
        currency = getattr(organization, "currency", "CNY") or "CNY"
        try:
            with transaction.atomic():
                program = Program.objects.create(organization_id=organization_id, currency=currency)
        except IntegrityError:  # created meanwhile by another request
            return Program.objects.for_org(organization_id).get()
        Tier.objects.bulk_create(
            [
                Tier(
                    organization_id=organization_id,
                    program=program,
                    code=code,
                    name=name,
                    rank=rank,
                    min_nights=nights,
                    min_stays=stays,
                    min_spend=spend,
                    multiplier=multiplier,
                    benefits=benefits,
                )
                for code, name, rank, nights, stays, spend, multiplier, benefits in DEFAULT_TIERS
            ]
        )
    return program


@transaction.atomic
def program_update(*, program, actor, data, request=None, hotel=None):
    changed = [name for name, value in data.items() if getattr(program, name) != value]
    for name in changed:
        setattr(program, name, data[name])
    if changed:
        program.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action="loyalty.program_update",
            organization=program.organization,
            hotel=hotel,
            actor=actor,
            obj=program,
            fields=changed,
            request=request,
        )
    return program


@transaction.atomic
def tier_update(*, tier, actor, data, request=None, hotel=None):
    changed = [name for name, value in data.items() if getattr(tier, name) != value]
    for name in changed:
        setattr(tier, name, data[name])
    if changed:
        tier.save(update_fields=changed)
        audit_record(
            action="loyalty.tier_update",
            organization=tier.organization,
            hotel=hotel,
            actor=actor,
            obj=tier,
            fields=changed,
            request=request,
        )
    return tier


# --- Membership -------------------------------------------------------------------------------


@transaction.atomic
def membership_enrol(*, guest, actor, hotel=None, request=None, joined_on=None):
    """Enrol a guest. The member number is the program's next sequence plus a Luhn check digit."""
    if guest.merged_into_id is not None:
        raise LoyaltyError(_("This profile was merged into another one: enrol the kept profile."))
    program = program_ensure(organization=guest.organization_id)
    existing = Membership.objects.for_org(guest.organization_id).filter(guest=guest).first()
    if existing is not None:
        raise AlreadyMember(_("This guest is already member %(number)s.") % {"number": existing.member_number})
    # Locking the program row hands out member numbers one at a time: no two members share one.
    program = Program.objects.for_org(guest.organization_id).select_for_update().get(pk=program.pk)
    sequence = program.next_member_sequence
    Program.objects.for_org(guest.organization_id).filter(pk=program.pk).update(next_member_sequence=sequence + 1)
    entry_tier = Tier.objects.for_org(guest.organization_id).order_by("rank").first()
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organization_id=guest.organization_id,
                guest=guest,
                member_number=member_number_for(sequence),
                joined_on=joined_on or local_today(guest.organization_id),
                tier=entry_tier,
            )
    except IntegrityError:
        raise AlreadyMember(_("This guest is already a member.")) from None
    audit_record(
        action="loyalty.enrol",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        request=request,
        extra={"member_number": membership.member_number, "membership_id": membership.pk},
    )
    return membership


def _lock(membership):
    """The membership row, locked until the transaction ends (see the module docstring)."""
    locked = Membership.objects.for_org(membership.organization_id).select_for_update().get(pk=membership.pk)
    if locked.status != MembershipStatus.ACTIVE:
        raise NotAMember(
            _("This membership was merged into member %(number)s.")
            % {"number": locked.merged_into.member_number if locked.merged_into_id else "?"}
        )
    return locked


# --- The ledger core --------------------------------------------------------------------------


def _expiry_for(program, on):
    if program.expiry_months_after_earning:
        return on + relativedelta(months=program.expiry_months_after_earning)
    return None


def _existing(organization_id, idempotency_key):
    return LedgerEntry.objects.for_org(organization_id).filter(idempotency_key=idempotency_key).first()


def _consume(membership, debit_points, *, preferred_lot_ids=(), only_lot_ids=None):
    """Take `debit_points` (> 0) from the member's open lots: preferred ones first, then oldest first.

    Returns [(lot, points)]. The caller holds the membership lock and has checked the balance.
    """
    lots = LedgerEntry.objects.for_org(membership.organization_id).filter(membership_id=membership.pk, remaining__gt=0)
    if only_lot_ids is not None:
        lots = lots.filter(pk__in=only_lot_ids)
    ordered = sorted(
        lots.only("pk", "remaining", "expires_on"),
        key=lambda lot: (lot.pk not in preferred_lot_ids, lot.expires_on or datetime.date.max, lot.pk),
    )
    taken, left = [], debit_points
    for lot in ordered:
        if left <= 0:
            break
        take = min(lot.remaining, left)
        taken.append((lot, take))
        left -= take
    if left > 0:  # the cached balance said there was enough: the ledger disagrees
        raise LoyaltyError(_("The points ledger of this member needs checking (lots do not cover the balance)."))
    for lot, take in taken:
        LedgerEntry.objects.for_org(membership.organization_id).filter(pk=lot.pk).update(
            remaining=F("remaining") - take
        )
    return taken


def business_today(organization_id, hotel=None):
    """The business date of something written now: the hotel's local date, else the organization's."""
    if hotel is not None:
        return timezone.now().astimezone(hotel.tz).date()
    return local_today(organization_id)


def _post(
    membership,
    *,
    kind,
    points,
    source_type,
    source_id="",
    idempotency_key,
    hotel=None,
    actor=None,
    reason="",
    details=None,
    expires_on=None,
    is_lot=True,
    preferred_lot_ids=(),
    only_lot_ids=None,
    restore=None,
    qualifying=(0, 0, Decimal("0")),
    activity=True,
    at=None,
    business_on=None,
):
    """Append one entry to a LOCKED membership and move its lots and cached balance. Returns the entry.

    `business_on` (default: today where it happens) is the date the entry counts on; the member's
    last activity moves to it only forwards (a back-dated stay is no activity today)."""
    organization_id = membership.organization_id
    at = at or timezone.now()
    business_on = business_on or business_today(organization_id, hotel)
    entry = LedgerEntry(
        organization_id=organization_id,
        membership_id=membership.pk,
        hotel=hotel,
        kind=kind,
        points=points,
        remaining=points if (points > 0 and is_lot) else 0,
        expires_on=expires_on if points > 0 and is_lot else None,
        source_type=source_type,
        source_id=str(source_id),
        idempotency_key=idempotency_key[:160],
        reason=reason[:300],
        details=details or {},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=at,
        qualifying_nights=qualifying[0],
        qualifying_stays=qualifying[1],
        qualifying_spend=qualifying[2],
        business_on=business_on,
    )
    if points < 0 and membership.balance < -points:
        raise InsufficientPoints(balance=membership.balance, needed=-points)
    entry.save()
    if points < 0:
        taken = _consume(membership, -points, preferred_lot_ids=preferred_lot_ids, only_lot_ids=only_lot_ids)
        LedgerAllocation.objects.bulk_create(
            [
                LedgerAllocation(organization_id=organization_id, debit=entry, lot_id=lot.pk, points=take)
                for lot, take in taken
            ]
        )
    elif restore:
        # A refund puts the points back into the very lots they came from, keeping their expiry.
        for lot_id, back in restore:
            LedgerEntry.objects.for_org(organization_id).filter(pk=lot_id).update(remaining=F("remaining") + back)
    updates = {"balance": F("balance") + points}
    if activity:
        updates["last_activity_on"] = Greatest(Coalesce(F("last_activity_on"), business_on), business_on)
    Membership.objects.for_org(organization_id).filter(pk=membership.pk).update(**updates)
    membership.balance += points
    return entry


def _expire_on_arrival(membership, lot, *, today):
    """A lot written already past its expiry (a back-dated stay): expired at once, in the caller's
    transaction, by an expiry entry dated at the expiry date, as the nightly job would have."""
    if lot.points <= 0 or lot.expires_on is None or lot.expires_on > today:
        return None
    return _post(
        membership,
        kind=EntryKind.EXPIRE,
        points=-lot.points,
        source_type=SourceType.EXPIRY,
        source_id=lot.pk,
        idempotency_key=f"expire:{lot.pk}:{lot.expires_on.isoformat()}",
        hotel=lot.hotel,
        details={"lot": lot.pk, "on_arrival": True},
        only_lot_ids=[lot.pk],
        activity=False,
        business_on=lot.expires_on,
        reason=_("Expired on %(date)s (recorded late)") % {"date": lot.expires_on.isoformat()},
    )


def _same_request(entry, *, membership, points):
    if entry.membership_id != membership.pk or entry.points != points:
        raise IdempotencyConflict(_("This idempotency key was already used for a different request."))
    return entry


# --- Earn / redeem / reverse ------------------------------------------------------------------


@transaction.atomic
def points_award(
    *,
    membership,
    points,
    idempotency_key,
    source_type=SourceType.ADJUSTMENT,
    source_id="",
    actor=None,
    hotel=None,
    reason="",
    request=None,
    details=None,
    qualifying=(0, 0, Decimal("0")),
    kind=EntryKind.EARN,
):
    """Credit `points` (> 0) as a new lot. Same key again: the first entry is returned, nothing added."""
    if points <= 0:
        raise LoyaltyError(_("Points to award must be a positive whole number."))
    membership = _lock(membership)
    existing = _existing(membership.organization_id, idempotency_key)
    if existing is not None:
        return _same_request(existing, membership=membership, points=points)
    program = program_ensure(organization=membership.organization_id)
    today = local_today(membership.organization_id)
    entry = _post(
        membership,
        kind=kind,
        points=points,
        source_type=source_type,
        source_id=source_id,
        idempotency_key=idempotency_key,
        hotel=hotel,
        actor=actor,
        reason=reason,
        details=details,
        expires_on=_expiry_for(program, today),
        qualifying=qualifying,
    )
    audit_record(
        action="loyalty.points_award",
        organization=membership.organization,
        hotel=hotel,
        actor=actor,
        obj=membership,
        reason=reason,
        request=request,
        extra={"entry_id": entry.pk, "points": points, "source": f"{source_type}:{source_id}"},
    )
    return entry


@transaction.atomic
def points_redeem(
    *,
    membership,
    points,
    idempotency_key,
    source_type=SourceType.REWARD_ORDER,
    source_id="",
    actor=None,
    hotel=None,
    reason="",
    request=None,
):
    """Debit `points` (> 0), oldest lots first. Refused (InsufficientPoints) when the balance is short."""
    if points <= 0:
        raise LoyaltyError(_("Points to redeem must be a positive whole number."))
    membership = _lock(membership)
    existing = _existing(membership.organization_id, idempotency_key)
    if existing is not None:
        return _same_request(existing, membership=membership, points=-points)
    entry = _post(
        membership,
        kind=EntryKind.REDEEM,
        points=-points,
        source_type=source_type,
        source_id=source_id,
        idempotency_key=idempotency_key,
        hotel=hotel,
        actor=actor,
        reason=reason,
    )
    audit_record(
        action="loyalty.points_redeem",
        organization=membership.organization,
        hotel=hotel,
        actor=actor,
        obj=membership,
        reason=reason,
        request=request,
        extra={"entry_id": entry.pk, "points": points, "source": f"{source_type}:{source_id}"},
    )
    return entry


def _reverse_locked(
    membership, entry, *, idempotency_key, actor=None, hotel=None, reason="", source_type=None, source_id=None
):
    """Undo `entry` exactly (membership locked). A credit is taken back from its own lot first,
    then oldest first; if the member already spent it, only what the balance holds is taken and
    the rest is recorded as `shortfall`. A debit's points go back into the lots they came from."""
    existing = _existing(membership.organization_id, idempotency_key)
    if existing is not None:
        return existing
    already = (
        LedgerEntry.objects.for_org(membership.organization_id)
        .filter(kind=EntryKind.REVERSE, details__reverses=entry.pk)
        .aggregate(total=Sum("points"))["total"]
        or 0
    )
    source_type = source_type or entry.source_type
    source_id = entry.source_id if source_id is None else source_id
    qualifying = (-entry.qualifying_nights, -entry.qualifying_stays, -entry.qualifying_spend)
    if entry.points > 0:
        wanted = entry.points + already  # `already` is negative for earlier partial reversals
        points = min(wanted, membership.balance)
        details = {"reverses": entry.pk, "shortfall": wanted - points} if wanted > points else {"reverses": entry.pk}
        return _post(
            membership,
            kind=EntryKind.REVERSE,
            points=-points,
            source_type=source_type,
            source_id=source_id,
            idempotency_key=idempotency_key,
            hotel=hotel,
            actor=actor,
            reason=reason,
            details=details,
            preferred_lot_ids={entry.pk},
            qualifying=qualifying,
            activity=False,
        )
    if entry.points < 0:
        if already:
            raise LoyaltyError(_("This entry has already been reversed."))
        allocations = list(
            LedgerAllocation.objects.for_org(membership.organization_id)
            .filter(debit_id=entry.pk)
            .values_list("lot_id", "points")
        )
        return _post(
            membership,
            kind=EntryKind.REVERSE,
            points=-entry.points,
            source_type=source_type,
            source_id=source_id,
            idempotency_key=idempotency_key,
            hotel=hotel,
            actor=actor,
            reason=reason,
            details={"reverses": entry.pk},
            is_lot=False,
            restore=allocations,
            qualifying=qualifying,
            activity=False,
        )
    raise LoyaltyError(_("There is nothing to reverse in this entry."))


@transaction.atomic
def points_reverse(*, entry, actor, reason, idempotency_key=None, hotel=None, request=None):
    """Reverse one ledger entry exactly once (see `_reverse_locked`)."""
    if entry.kind in (EntryKind.REVERSE, EntryKind.EXPIRE):
        raise LoyaltyError(_("Reversals and expiries cannot be reversed; adjust the points instead."))
    membership = _lock(Membership.objects.for_org(entry.organization_id).get(pk=entry.membership_id))
    reversal = _reverse_locked(
        membership,
        entry,
        idempotency_key=idempotency_key or f"reverse:{entry.pk}",
        actor=actor,
        hotel=hotel,
        reason=reason,
    )
    audit_record(
        action="loyalty.points_reverse",
        organization=membership.organization,
        hotel=hotel,
        actor=actor,
        obj=membership,
        reason=reason,
        request=request,
        extra={"entry_id": entry.pk, "reversal_id": reversal.pk},
    )
    return reversal


# --- Adjustments ------------------------------------------------------------------------------


def _points_limits(*, actor, hotel, api_key):
    """(who, (per_call, per_day), the requests that count towards the day) for this caller."""
    from django.conf import settings

    from hotelcrm.selectors import staff_access_get

    limits = settings.LOYALTY_POINTS_LIMITS
    if api_key is not None:
        return f"key:{api_key.pk}", limits["api_key"], Q(requested_via=f"key:{api_key.pk}")
    if not getattr(actor, "is_authenticated", False):
        return "system", limits["system"], Q(requested_by__isnull=True, requested_via="")
    role = staff_access_get(actor).role_at(hotel)
    # A user without a role at this hotel gets the strictest limits (no role grants more than the desk).
    return f"user:{actor.pk}", limits.get(role, limits["front_desk"]), Q(requested_by_id=actor.pk)


def _check_points_limits(*, organization_id, points, actor, hotel, api_key):
    who, (per_call, per_day), mine = _points_limits(actor=actor, hotel=hotel, api_key=api_key)
    if abs(points) > per_call:
        raise PointsLimitExceeded(
            _("At most %(limit)s points can be awarded or adjusted in one request.") % {"limit": per_call},
            extra={"limit": per_call},
        )
    # Two requests of the same caller at once must see each other's amount: one at a time per
    # caller and organization (a transaction-scoped advisory lock, released at commit).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"loyalty-limit:{organization_id}:{who}"])
    since = timezone.now() - datetime.timedelta(hours=24)
    used = (
        AdjustmentRequest.objects.for_org(organization_id)
        .filter(mine, requested_at__gte=since)
        .exclude(status=AdjustmentStatus.REJECTED)
        .aggregate(total=Sum(Abs("points")))["total"]
        or 0
    )
    if used + abs(points) > per_day:
        raise PointsLimitExceeded(
            _("At most %(limit)s points can be awarded or adjusted in 24 hours; %(used)s already were.")
            % {"limit": per_day, "used": used},
            extra={"limit": per_day, "used": used},
        )


@transaction.atomic
def adjustment_request(
    *, membership, points, reason, actor, hotel, is_goodwill=False, request=None, api_key=None, idempotency_key=""
):
    """Every discretionary change of points (UI award or adjustment, the PMS API's award, any
    future import or command): refused above the caller's hard limits (per request and per 24
    hours, per API key or staff role: settings.LOYALTY_POINTS_LIMITS), applied at once up to the
    program's approval threshold, otherwise waiting for a second manager. `api_key` is the
    calling integration key (then `actor` is None); `idempotency_key` makes a retry return the
    first request. `points_award` is for amounts the program's rules fix (stays, bonuses)."""
    if not points:
        raise LoyaltyError(_("An adjustment must add or remove at least one point."))
    if not (reason or "").strip():
        raise LoyaltyError(_("Give a reason for the adjustment."))
    if is_goodwill and points < 0:
        raise LoyaltyError(_("Goodwill points are always added, never removed."))
    organization_id = membership.organization_id
    if idempotency_key:
        existing = (
            AdjustmentRequest.objects.for_org(organization_id).filter(idempotency_key=idempotency_key[:160]).first()
        )
        if existing is not None:
            if existing.membership_id != membership.pk or existing.points != points:
                raise IdempotencyConflict(_("This idempotency key was already used for a different request."))
            return existing
    _check_points_limits(organization_id=organization_id, points=points, actor=actor, hotel=hotel, api_key=api_key)
    program = program_ensure(organization=organization_id)
    adjustment = AdjustmentRequest.objects.create(
        organization_id=organization_id,
        membership=membership,
        hotel=hotel,
        points=points,
        reason=reason.strip()[:300],
        is_goodwill=is_goodwill,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        requested_via=f"key:{api_key.pk}" if api_key is not None else "",
        idempotency_key=idempotency_key[:160],
    )
    audit_record(
        action="loyalty.adjustment_request",
        organization=membership.organization,
        hotel=hotel,
        actor=actor,
        obj=membership,
        reason=adjustment.reason,
        request=request,
        extra={"adjustment_id": adjustment.pk, "points": points},
    )
    if abs(points) <= program.adjustment_approval_threshold:
        _adjustment_apply(adjustment, actor=actor)
    else:
        _notify_approvers(adjustment)
    return adjustment


def _notify_approvers(adjustment):
    try:
        from notifications.services import notify
    except ImportError:  # pragma: no cover - notifications not installed
        return
    from django.urls import reverse
    from django.utils.translation import gettext_noop

    from hotelcrm.models import Membership as StaffMembership
    from hotelcrm.models import Role

    staff = (
        StaffMembership.objects.for_org(adjustment.organization_id)
        .filter(Q(hotel_id=adjustment.hotel_id, role=Role.MANAGER) | Q(role=Role.GROUP_ADMIN))
        .select_related("user")
    )
    notify(
        organization=adjustment.organization_id,
        recipients=[m.user for m in staff if m.user_id != adjustment.requested_by_id],
        kind="loyalty.adjustment",
        hotel=adjustment.hotel,
        title=gettext_noop("A points adjustment of %(points)s waits for your approval"),
        params={"points": adjustment.points},
        url=reverse("loyalty:adjustments"),
        dedupe_key=f"loyalty-adjustment-{adjustment.pk}",
    )


def _adjustment_apply(adjustment, *, actor):
    membership = _lock(adjustment.membership)
    key = f"adjustment:{adjustment.pk}"
    if adjustment.points > 0:
        program = program_ensure(organization=membership.organization_id)
        _post(
            membership,
            kind=EntryKind.ADJUST,
            points=adjustment.points,
            source_type=SourceType.ADJUSTMENT,
            source_id=adjustment.pk,
            idempotency_key=key,
            hotel=adjustment.hotel,
            actor=actor,
            reason=adjustment.reason,
            expires_on=_expiry_for(program, local_today(membership.organization_id)),
            details={"goodwill": adjustment.is_goodwill},
        )
    else:
        _post(
            membership,
            kind=EntryKind.ADJUST,
            points=adjustment.points,
            source_type=SourceType.ADJUSTMENT,
            source_id=adjustment.pk,
            idempotency_key=key,
            hotel=adjustment.hotel,
            actor=actor,
            reason=adjustment.reason,
        )
    AdjustmentRequest.objects.for_org(adjustment.organization_id).filter(pk=adjustment.pk).update(
        status=AdjustmentStatus.APPLIED, decided_by=actor, decided_at=timezone.now()
    )
    adjustment.status = AdjustmentStatus.APPLIED


@transaction.atomic
def adjustment_decide(*, adjustment, actor, approve, note="", hotel=None, request=None):
    """A manager approves (the points move now) or rejects a waiting adjustment; not their own."""
    # Locked so two managers deciding at once decide once.
    adjustment = AdjustmentRequest.objects.for_org(adjustment.organization_id).select_for_update().get(pk=adjustment.pk)
    if adjustment.status != AdjustmentStatus.PENDING:
        raise AdjustmentStateError(_("This adjustment has already been decided."))
    if adjustment.requested_by_id == actor.pk:
        raise AdjustmentStateError(_("Another manager must approve an adjustment you asked for."))
    if approve:
        _adjustment_apply(adjustment, actor=actor)
    else:
        adjustment.status = AdjustmentStatus.REJECTED
    adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = actor, timezone.now(), note[:300]
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action="loyalty.adjustment_" + ("approve" if approve else "reject"),
        organization=adjustment.organization,
        hotel=hotel,
        actor=actor,
        obj=adjustment.membership,
        reason=note,
        request=request,
        extra={"adjustment_id": adjustment.pk, "points": adjustment.points},
    )
    return adjustment


# --- Rewards and orders -----------------------------------------------------------------------


@transaction.atomic
def reward_save(*, organization, actor, data, reward=None, hotel=None, request=None):
    organization_id = getattr(organization, "pk", organization)
    if reward is None:
        reward = Reward(organization_id=organization_id)
    for name, value in data.items():
        setattr(reward, name, value)
    reward.full_clean()
    reward.save()
    audit_record(
        action="loyalty.reward_save",
        organization=reward.organization,
        hotel=hotel,
        actor=actor,
        obj=reward,
        fields=sorted(data),
        request=request,
    )
    return reward


@transaction.atomic
def reward_order_place(*, membership, reward, hotel, actor, idempotency_key, quantity=1, request=None):
    """Order a reward: stock taken and points redeemed in one transaction; a repeated key returns the first order."""
    if quantity < 1 or quantity > 99:
        raise LoyaltyError(_("Order between 1 and 99 of a reward."))
    organization_id = membership.organization_id
    existing = RedemptionOrder.objects.for_org(organization_id).filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    # Stock is a conditional update: two orders of the last item cannot both succeed.
    reward = Reward.objects.for_org(organization_id).select_for_update().get(pk=reward.pk)
    today = local_today(organization_id)
    if (
        not reward.is_active
        or (reward.valid_from and reward.valid_from > today)
        or (reward.valid_until and reward.valid_until < today)
        or (reward.hotel_id and reward.hotel_id != hotel.pk)
    ):
        raise RewardUnavailable(_("This reward is not available here today."))
    if reward.stock is not None:
        if reward.stock < quantity:
            raise RewardUnavailable(_("This reward is out of stock."))
        Reward.objects.for_org(organization_id).filter(pk=reward.pk).update(stock=F("stock") - quantity)
    points = reward.points_price * quantity
    order = RedemptionOrder.objects.create(
        organization_id=organization_id,
        membership=membership,
        reward=reward,
        hotel=hotel,
        quantity=quantity,
        points=points,
        idempotency_key=idempotency_key[:120],
        placed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    locked = _lock(membership)
    _post(
        locked,
        kind=EntryKind.REDEEM,
        points=-points,
        source_type=SourceType.REWARD_ORDER,
        source_id=order.pk,
        idempotency_key=f"order:{order.pk}",
        hotel=hotel,
        actor=actor,
        reason=reward.name,
    )
    audit_record(
        action="loyalty.order_place",
        organization=membership.organization,
        hotel=hotel,
        actor=actor,
        obj=membership,
        request=request,
        extra={"order_id": order.pk, "points": points, "reward_id": reward.pk},
    )
    return order


def _lock_order(order):
    return RedemptionOrder.objects.for_org(order.organization_id).select_for_update().get(pk=order.pk)


@transaction.atomic
def reward_order_fulfil(*, order, actor, hotel=None, request=None):
    order = _lock_order(order)
    if order.status != OrderStatus.PLACED:
        raise OrderStateError(_("Only a placed order can be fulfilled."))
    order.status, order.fulfilled_at, order.decided_by = OrderStatus.FULFILLED, timezone.now(), actor
    order.save(update_fields=["status", "fulfilled_at", "decided_by"])
    audit_record(
        action="loyalty.order_fulfil",
        organization=order.organization,
        hotel=hotel,
        actor=actor,
        obj=order.membership,
        request=request,
        extra={"order_id": order.pk},
    )
    return order


@transaction.atomic
def reward_order_cancel(*, order, actor, reason="", hotel=None, request=None):
    """Cancel a placed order: the points go back into the lots they came from, the stock back on the shelf."""
    order = _lock_order(order)
    if order.status != OrderStatus.PLACED:
        raise OrderStateError(_("Only a placed order can be cancelled."))
    membership = _lock(order.membership)
    debit = LedgerEntry.objects.for_org(order.organization_id).get(idempotency_key=f"order:{order.pk}")
    _reverse_locked(
        membership,
        debit,
        idempotency_key=f"order:{order.pk}:refund",
        actor=actor,
        hotel=order.hotel,
        reason=reason or _("Order cancelled"),
    )
    Reward.objects.for_org(order.organization_id).filter(pk=order.reward_id, stock__isnull=False).update(
        stock=F("stock") + order.quantity
    )
    order.status, order.cancelled_at, order.decided_by, order.cancel_reason = (
        OrderStatus.CANCELLED,
        timezone.now(),
        actor,
        reason[:300],
    )
    order.save(update_fields=["status", "cancelled_at", "decided_by", "cancel_reason"])
    audit_record(
        action="loyalty.order_cancel",
        organization=order.organization,
        hotel=hotel,
        actor=actor,
        obj=order.membership,
        reason=reason,
        request=request,
        extra={"order_id": order.pk},
    )
    return order


# --- Stays ------------------------------------------------------------------------------------
# A stay's entries are dated at its business date, the checkout (departure) date, the hotel's
# local date: what it earns, when its points expire, which tier window it counts in and which
# day the dashboard shows it on follow the stay, not the day the PMS happened to send it. The
# programme's rules are not versioned: a back-dated stay earns by the rules (and the member's
# tier multiplier) in force when it is recorded.

STAY_COMPONENTS = (SourceType.STAY, SourceType.STAY_BIRTHDAY, SourceType.FIRST_STAY)


def _points_for_spend(program, stay):
    unit = program.spend_unit
    raw = (
        stay.room_revenue * program.points_per_unit_room
        + stay.fb_revenue * program.points_per_unit_fb
        + stay.other_revenue * program.points_per_unit_other
    ) / unit
    return raw


def _floor(value):
    return int(Decimal(value).to_integral_value(rounding=ROUND_FLOOR))


def _is_birthday_stay(guest, stay):
    birthday = guest.birth_month_day
    if birthday is None:
        return False
    day = stay.arrival_on
    while day <= stay.departure_on:
        if (day.month, day.day) == birthday:
            return True
        day += datetime.timedelta(days=1)
        if (day - stay.arrival_on).days > 366:
            break
    return False


def _stay_revenue(stay):
    return stay.room_revenue + stay.fb_revenue + stay.other_revenue


def stay_earns(program, stay):
    """Whether a stay reaches the programme's minimum to earn points, bonuses and tier credit."""
    return stay.nights >= program.earn_min_nights and _stay_revenue(stay) >= program.earn_min_revenue


def stay_earns_first_stay_bonus(program, stay):
    return (
        stay_earns(program, stay)
        and stay.nights >= program.first_stay_min_nights
        and _stay_revenue(stay) >= program.first_stay_min_revenue
    )


def _stay_plan(*, program, membership, stay, entries, holds_first_elsewhere):
    """What the ledger must gain for `stay` to match it exactly: [(component, points delta,
    qualifying delta, idempotency key, details)], in component order. Pure: reads nothing."""
    from guests.models import StayStatus

    done = stay.status == StayStatus.CHECKED_OUT
    earns = done and stay_earns(program, stay)
    by_component = {c: [e for e in entries if e.source_type == c] for c in STAY_COMPONENTS}
    base_entries = by_component[SourceType.STAY]
    multiplier = Decimal(base_entries[0].details.get("multiplier", "1")) if base_entries else membership.tier.multiplier
    targets = {
        SourceType.STAY: _floor(_points_for_spend(program, stay) * multiplier) if earns else 0,
        SourceType.STAY_BIRTHDAY: program.bonus_birthday_stay if earns and _is_birthday_stay(stay.guest, stay) else 0,
        # The first-stay bonus belongs to the first stay that still holds it (a cancelled first stay gives it back).
        SourceType.FIRST_STAY: program.bonus_first_stay
        if done
        and stay_earns_first_stay_bonus(program, stay)
        and (by_component[SourceType.FIRST_STAY] or not holds_first_elsewhere)
        else 0,
    }
    qualifying_target = (stay.nights, 1, _stay_revenue(stay)) if earns else (0, 0, Decimal("0"))
    plan = []
    for component, target in targets.items():
        rows = by_component[component]
        net = sum(e.points for e in rows)
        if component == SourceType.STAY:
            have = (
                sum(e.qualifying_nights for e in rows),
                sum(e.qualifying_stays for e in rows),
                sum((e.qualifying_spend for e in rows), Decimal("0")),
            )
            q_delta = tuple(t - h for t, h in zip(qualifying_target, have))
        else:
            q_delta = (0, 0, Decimal("0"))
        delta = target - net
        if delta == 0 and not any(q_delta):
            continue
        details = {"status": stay.status, "multiplier": str(multiplier), "target": target}
        plan.append((component, delta, q_delta, f"stay:{stay.pk}:{component}:{len(rows) + 1}", details, rows))
    return plan


def _stay_reason(stay, *, changed):
    if changed:
        return _("Stay %(reservation)s changed") % {"reservation": stay.pms_reservation_id}
    return _("Stay %(reservation)s") % {"reservation": stay.pms_reservation_id}


def _stay_entries(organization_id, stay_ids):
    return list(
        LedgerEntry.objects.for_org(organization_id)
        .filter(source_type__in=STAY_COMPONENTS, source_id__in=[str(pk) for pk in stay_ids])
        .order_by("pk")
    )


def _first_stay_holders(organization_id, membership_ids):
    """{membership id: {stay ids (text) whose first-stay bonus still stands}}."""
    holders = {}
    for membership_id, source_id in (
        LedgerEntry.objects.for_org(organization_id)
        .filter(membership_id__in=membership_ids, source_type=SourceType.FIRST_STAY)
        .values("membership_id", "source_id")
        .annotate(net=Sum("points"))
        .filter(net__gt=0)
        .values_list("membership_id", "source_id")
    ):
        holders.setdefault(membership_id, set()).add(source_id)
    return holders


@transaction.atomic
def stay_points_sync(*, stay, actor=None, source=""):
    """Make the ledger match `stay` exactly: a checked-out stay earns once; a cancelled or
    corrected one is reversed or corrected by the exact difference. Safe to call any number of
    times (a redelivered event finds nothing left to do). Does nothing for non-members."""
    membership = (
        Membership.objects.for_org(stay.organization_id)
        .filter(guest_id=stay.guest_id, status=MembershipStatus.ACTIVE)
        .first()
    )
    if membership is None:
        return []
    membership = _lock(membership)
    program = program_ensure(organization=stay.organization_id)
    organization_id = stay.organization_id
    holders = _first_stay_holders(organization_id, [membership.pk]).get(membership.pk, set())
    plan = _stay_plan(
        program=program,
        membership=membership,
        stay=stay,
        entries=_stay_entries(organization_id, [stay.pk]),
        holds_first_elsewhere=bool(holders - {str(stay.pk)}),
    )
    today = local_today(organization_id)
    business_on = stay.departure_on
    written = []
    for component, delta, q_delta, key, details, rows in plan:
        if delta >= 0:
            kind = EntryKind.EARN if not rows else EntryKind.ADJUST
            entry = _post(
                membership,
                kind=kind,
                points=delta,
                source_type=component,
                source_id=stay.pk,
                idempotency_key=key,
                hotel=stay.hotel,
                actor=actor,
                details=details,
                expires_on=_expiry_for(program, business_on),
                qualifying=q_delta,
                business_on=business_on,
                reason=_stay_reason(stay, changed=False),
            )
            written.append(entry)
            expired = _expire_on_arrival(membership, entry, today=today)
            if expired is not None:
                written.append(expired)
        else:
            wanted = -delta
            points = min(wanted, membership.balance)
            if wanted > points:
                details["shortfall"] = wanted - points
            written.append(
                _post(
                    membership,
                    kind=EntryKind.REVERSE,
                    points=-points,
                    source_type=component,
                    source_id=stay.pk,
                    idempotency_key=key,
                    hotel=stay.hotel,
                    actor=actor,
                    details=details,
                    preferred_lot_ids={e.pk for e in rows if e.points > 0},
                    qualifying=q_delta,
                    activity=False,
                    business_on=business_on,
                    reason=_stay_reason(stay, changed=True),
                )
            )
    if written:
        audit_record(
            action="loyalty.stay_sync",
            organization=membership.organization,
            hotel=stay.hotel,
            actor=actor,
            obj=membership,
            extra={"stay_id": stay.pk, "source": source, "entries": [e.pk for e in written]},
        )
    return written


MEMBERS_CREDIT_SQL = """
UPDATE loyalty_membership m
SET balance = m.balance + u.points,
    last_activity_on = CASE WHEN u.active_on IS NULL THEN m.last_activity_on
                            ELSE GREATEST(COALESCE(m.last_activity_on, u.active_on), u.active_on) END
FROM (SELECT unnest(%(ids)s::bigint[]) AS id, unnest(%(points)s::bigint[]) AS points,
             unnest(%(active)s::date[]) AS active_on) u
WHERE m.organization_id = %(org)s AND m.id = u.id
"""


@transaction.atomic
def stays_points_sync(*, changes, actor=None, source=""):
    """stay_points_sync for a batch of changed stays (the stays_changed domain event), set-based.

    `changes` lists (stay, previous_status) with each stay in its final state. A stay that
    neither is nor was checked out is skipped: each earlier change synced its ledger, which holds
    nothing for a stay never checked out. The batch's memberships are locked in one statement (id
    order, as every writer locks them), their stays' entries and first-stay bonuses read in one
    query each; what only credits points (checkouts, upward corrections: nearly all of a PMS
    feed) is then written with one INSERT of entries (plus one of expiries and allocations for
    lots already past their expiry), one UPDATE of the balances and one audit INSERT. A stay
    that takes points back (a cancelled or lowered stay must consume lots oldest first) goes
    through stay_points_sync afterwards, under the same locks.
    """
    from guests.models import StayStatus

    relevant = [stay for stay, previous in changes if StayStatus.CHECKED_OUT in (stay.status, previous)]
    if not relevant:
        return []
    written = []
    for organization_id in sorted({stay.organization_id for stay in relevant}):
        stays = [stay for stay in relevant if stay.organization_id == organization_id]
        written.extend(_stays_points_sync_org(organization_id, stays, actor=actor, source=source))
    return written


def _stays_points_sync_org(organization_id, stays, *, actor, source):
    # Locked in id order (the order every online write and the expiry job lock members in).
    memberships = {
        m.guest_id: m
        for m in Membership.objects.for_org(organization_id)
        .select_for_update(of=("self",))
        .select_related("tier")
        .filter(guest_id__in={s.guest_id for s in stays}, status=MembershipStatus.ACTIVE)
        .order_by("pk")
    }
    stays = sorted((s for s in stays if s.guest_id in memberships), key=lambda s: (s.guest_id, s.pk))
    if not stays:
        return []
    program = program_ensure(organization=organization_id)
    today = local_today(organization_id)
    entries = {}
    for entry in _stay_entries(organization_id, [s.pk for s in stays]):
        entries.setdefault(entry.source_id, []).append(entry)
    holders = _first_stay_holders(organization_id, [m.pk for m in memberships.values()])
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    lots, per_stay, debits, credit, active = [], [], [], {}, {}
    for stay in stays:
        membership = memberships[stay.guest_id]
        held = holders.setdefault(membership.pk, set())
        plan = _stay_plan(
            program=program,
            membership=membership,
            stay=stay,
            entries=entries.get(str(stay.pk), []),
            holds_first_elsewhere=bool(held - {str(stay.pk)}),
        )
        if not plan:
            continue
        if any(delta < 0 for _c, delta, *_rest in plan):
            debits.append(stay)
            continue
        business_on = stay.departure_on
        expires_on = _expiry_for(program, business_on)
        mine = []
        for component, delta, q_delta, key, details, rows in plan:
            if component == SourceType.FIRST_STAY and delta > 0:
                held.add(str(stay.pk))  # later stays of this member in the batch see the bonus taken
            is_lot = delta > 0
            mine.append(
                LedgerEntry(
                    organization_id=organization_id,
                    membership_id=membership.pk,
                    hotel_id=stay.hotel_id,
                    kind=EntryKind.EARN if not rows else EntryKind.ADJUST,
                    points=delta,
                    remaining=delta if is_lot and not (expires_on and expires_on <= today) else 0,
                    expires_on=expires_on if is_lot else None,
                    source_type=component,
                    source_id=str(stay.pk),
                    idempotency_key=key,
                    reason=_stay_reason(stay, changed=False)[:300],
                    details=details,
                    actor_id=actor_id,
                    created_at=now,
                    business_on=business_on,
                    qualifying_nights=q_delta[0],
                    qualifying_stays=q_delta[1],
                    qualifying_spend=q_delta[2],
                )
            )
            if delta > 0:
                active[membership.pk] = max(active.get(membership.pk, business_on), business_on)
        lots.extend(mine)
        per_stay.append((stay, membership, mine))
    if lots:
        LedgerEntry.objects.bulk_create(lots)
        # Lots already past their expiry on arrival: written spent, and expired by an entry
        # dated at their expiry date, so the ledger shows both (and sums stay exact).
        dead = [lot for lot in lots if lot.points > 0 and lot.remaining == 0]
        expiries = [
            LedgerEntry(
                organization_id=organization_id,
                membership_id=lot.membership_id,
                hotel_id=lot.hotel_id,
                kind=EntryKind.EXPIRE,
                points=-lot.points,
                remaining=0,
                expires_on=None,
                source_type=SourceType.EXPIRY,
                source_id=str(lot.pk),
                idempotency_key=f"expire:{lot.pk}:{lot.expires_on.isoformat()}",
                details={"lot": lot.pk, "on_arrival": True},
                reason=(_("Expired on %(date)s (recorded late)") % {"date": lot.expires_on.isoformat()})[:300],
                actor_id=actor_id,
                created_at=now,
                business_on=lot.expires_on,
            )
            for lot in dead
        ]
        if expiries:
            LedgerEntry.objects.bulk_create(expiries)
            LedgerAllocation.objects.bulk_create(
                [
                    LedgerAllocation(
                        organization_id=organization_id, debit_id=expiry.pk, lot_id=lot.pk, points=lot.points
                    )
                    for expiry, lot in zip(expiries, dead)
                ]
            )
            by_lot = {lot.pk: expiry for expiry, lot in zip(expiries, dead)}
            per_stay = [(stay, m, mine + [by_lot[e.pk] for e in mine if e.pk in by_lot]) for stay, m, mine in per_stay]
        for lot in lots:
            credit[lot.membership_id] = credit.get(lot.membership_id, 0) + (
                lot.remaining if lot.points > 0 else lot.points
            )
        ids = sorted(credit)
        with connection.cursor() as db:
            db.execute(
                MEMBERS_CREDIT_SQL,
                {
                    "org": organization_id,
                    "ids": ids,
                    "points": [credit[i] for i in ids],
                    "active": [active.get(i) for i in ids],
                },
            )
        audit_record_many(
            [
                {
                    "action": "loyalty.stay_sync",
                    "organization": stay.hotel.organization,
                    "hotel": stay.hotel,
                    "actor": actor,
                    "obj": membership,
                    "extra": {"stay_id": stay.pk, "source": source, "entries": [e.pk for e in mine]},
                }
                for stay, membership, mine in per_stay
            ]
        )
    written = [e for _stay, _m, mine in per_stay for e in mine]
    for stay in debits:
        written.extend(stay_points_sync(stay=stay, actor=actor, source=source))
    return written


# --- Complaints and merges --------------------------------------------------------------------


@transaction.atomic
def suggestion_bonus_award(*, complaint, actor=None):
    """Bonus points for the guest whose suggestion was adopted (members only, once per complaint)."""
    guest_id = getattr(complaint, "guest_id", None)
    if guest_id is None:
        return None
    membership = (
        Membership.objects.for_org(complaint.organization_id)
        .filter(guest_id=guest_id, status=MembershipStatus.ACTIVE)
        .first()
    )
    program = program_ensure(organization=complaint.organization_id)
    if membership is None or not program.bonus_suggestion_adopted:
        return None
    return points_award(
        membership=membership,
        points=program.bonus_suggestion_adopted,
        idempotency_key=f"complaint:{complaint.pk}:suggestion",
        source_type=SourceType.COMPLAINT,
        source_id=complaint.pk,
        actor=actor,
        hotel=getattr(complaint, "hotel", None),
        reason=_("Suggestion adopted"),
    )


@transaction.atomic
def membership_fold(*, survivor, merged, actor=None):
    """After a guest merge: one membership per guest. When both profiles were members, every
    entry of the merged profile's membership moves to the survivor's (lots keep their expiry),
    the better tier is kept, and the old membership is marked merged (its number keeps resolving).
    When only the merged profile was a member, guests.merge already moved the membership."""
    organization_id = survivor.organization_id
    rows = list(
        Membership.objects.for_org(organization_id)
        .select_for_update()
        .filter(guest_id__in=[survivor.pk, merged.pk], status=MembershipStatus.ACTIVE)
        .order_by("pk")
    )
    ours = next((m for m in rows if m.guest_id == survivor.pk), None)
    theirs = next((m for m in rows if m.guest_id == merged.pk), None)
    if ours is None or theirs is None:
        return ours
    moved = LedgerEntry.objects.for_org(organization_id).filter(membership_id=theirs.pk).update(membership_id=ours.pk)
    for name in ("membership_id",):
        RedemptionOrder.objects.for_org(organization_id).filter(**{name: theirs.pk}).update(**{name: ours.pk})
        AdjustmentRequest.objects.for_org(organization_id).filter(**{name: theirs.pk}).update(**{name: ours.pk})
    tiers = {t.pk: t for t in Tier.objects.for_org(organization_id).filter(pk__in=[ours.tier_id, theirs.tier_id])}
    best = max((ours, theirs), key=lambda m: (tiers[m.tier_id].rank, m.tier_valid_until or datetime.date.min))
    activity = max(
        [d for d in (ours.last_activity_on, theirs.last_activity_on) if d] or [None],
        key=lambda d: d or datetime.date.min,
    )
    Membership.objects.for_org(organization_id).filter(pk=ours.pk).update(
        balance=F("balance") + theirs.balance,
        tier_id=best.tier_id,
        tier_valid_until=best.tier_valid_until,
        joined_on=min(ours.joined_on, theirs.joined_on),
        last_activity_on=activity,
    )
    Membership.objects.for_org(organization_id).filter(pk=theirs.pk).update(
        balance=0, status=MembershipStatus.MERGED, merged_into_id=ours.pk
    )
    audit_record(
        action="loyalty.membership_fold",
        organization=survivor.organization,
        actor=actor,
        obj=survivor,
        extra={
            "into": ours.member_number,
            "from": theirs.member_number,
            "entries_moved": moved,
            "points": theirs.balance,
        },
    )
    ours.refresh_from_db()
    return ours
