"""Demo loyalty data: a program per organization, members for about 40% of the guests, their
ledger earned from their checked-out stays (set-based SQL, so it is fast), a rewards catalog,
a few orders and adjustments, and tonight's expiry and tier runs so tiers are real.
"""

import random

from django.db import connection

from loyalty import jobs, services
from loyalty.models import JobKind, Membership, Program, Reward, RewardKind, Tier, member_number_for

MEMBER_SHARE_PERCENT = 40

_REWARDS = (
    (RewardKind.BREAKFAST, "Breakfast for two", "双人早餐", 1200, None),
    (RewardKind.LATE_CHECKOUT, "Late checkout until 16:00", "延迟退房至16:00", 800, None),
    (RewardKind.ROOM_UPGRADE, "Room upgrade (one category)", "客房升级（一级）", 3000, 50),
    (RewardKind.FB_VOUCHER, "F&B voucher 200", "餐饮券 200", 2500, None),
    (RewardKind.SPA, "60-minute spa treatment", "60分钟水疗", 6000, 20),
    (RewardKind.GIFT, "Silk scarf", "真丝围巾", 9000, 10),
)

_EARN_SQL = """
INSERT INTO loyalty_ledgerentry (organization_id, membership_id, hotel_id, kind, points, remaining, expires_on,
    source_type, source_id, idempotency_key, qualifying_nights, qualifying_stays, qualifying_spend, reason, details,
    actor_id, created_at, business_on)
SELECT s.organization_id, m.id, s.hotel_id, 'earn', pts, pts,
       CASE WHEN %(months)s::int IS NULL THEN NULL ELSE (s.departure_on + make_interval(months => %(months)s::int))::date END,
       'stay', s.id::text, 'stay:' || s.id || ':stay:1', s.departure_on - s.arrival_on, 1,
       s.room_revenue + s.fb_revenue + s.other_revenue, 'Stay ' || s.pms_reservation_id,
       jsonb_build_object('multiplier', '1', 'demo', true), NULL, (s.departure_on + time '12:00') AT TIME ZONE 'UTC',
       s.departure_on
FROM guests_stay s
JOIN loyalty_membership m ON m.organization_id = s.organization_id AND m.guest_id = s.guest_id
CROSS JOIN LATERAL (SELECT floor((s.room_revenue * %(room)s + s.fb_revenue * %(fb)s + s.other_revenue * %(other)s)
                                 / %(unit)s)::bigint AS pts) p
WHERE s.organization_id = %(org)s AND s.status = 'checked_out' AND s.departure_on >= m.joined_on
"""

_BALANCE_SQL = """
UPDATE loyalty_membership m SET balance = t.total, last_activity_on = t.last_day
FROM (SELECT membership_id, SUM(points) AS total, MAX(business_on) AS last_day
      FROM loyalty_ledgerentry WHERE organization_id = %(org)s GROUP BY membership_id) t
WHERE m.organization_id = %(org)s AND m.id = t.membership_id
"""


def demo_seed_extras(tenants, *, seed, now):
    for spec, organization, hotels in tenants:
        rng = random.Random(f"{seed}:loyalty:{spec.slug}")
        _seed_organization(organization, hotels, rng, now)


def _seed_organization(organization, hotels, rng, now):
    program = services.program_ensure(organization=organization)
    entry_tier = Tier.objects.for_org(organization).order_by("rank").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g.id, COALESCE(MIN(s.arrival_on), %s::date) FROM guests_guestprofile g "
            "LEFT JOIN guests_stay s ON s.organization_id = g.organization_id AND s.guest_id = g.id "
            "WHERE g.organization_id = %s AND g.merged_into_id IS NULL AND g.is_anonymised = false "
            "GROUP BY g.id ORDER BY g.id",
            [now.date(), organization.pk],
        )
        guests = cursor.fetchall()
    chosen = [(guest_id, first_day) for guest_id, first_day in guests if rng.randrange(100) < MEMBER_SHARE_PERCENT]
    sequence = program.next_member_sequence
    members = []
    for offset, (guest_id, first_day) in enumerate(chosen):
        members.append(
            Membership(
                organization=organization,
                guest_id=guest_id,
                member_number=member_number_for(sequence + offset),
                joined_on=min(first_day, now.date()),
                tier=entry_tier,
            )
        )
    Membership.objects.bulk_create(members, batch_size=2000)
    Program.objects.for_org(organization).filter(pk=program.pk).update(next_member_sequence=sequence + len(members))
    params = {
        "org": organization.pk,
        "months": program.expiry_months_after_earning,
        "room": program.points_per_unit_room,
        "fb": program.points_per_unit_fb,
        "other": program.points_per_unit_other,
        "unit": program.spend_unit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_EARN_SQL, params)
        cursor.execute(_BALANCE_SQL, {"org": organization.pk})
        # Statistics for the rows just inserted: without them the tier run below plans for empty
        # tables and took a minute at 10,000 guests.
        cursor.execute("ANALYZE loyalty_membership, loyalty_ledgerentry")
    rewards = [
        Reward(
            organization=organization,
            kind=kind,
            name=name if organization.default_language == "en" else zh,
            points_price=price,
            stock=stock,
            hotel=None if stock is None else hotels[index % len(hotels)],
        )
        for index, (kind, name, zh, price, stock) in enumerate(_REWARDS)
    ]
    Reward.objects.bulk_create(rewards)
    today = services.local_today(organization.pk)
    # Tonight's runs: points older than the policy expire, and tiers follow the last 12 months.
    jobs.run_job(organization_id=organization.pk, job=JobKind.EXPIRY, local_date=today)
    jobs.run_job(organization_id=organization.pk, job=JobKind.TIERS, local_date=today)
    _every_tier_held(organization, today)
    # A few orders and adjustments through the services, so the queues have something in them.
    rich = list(Membership.objects.for_org(organization).filter(balance__gte=3000).order_by("pk")[:400])
    rng.shuffle(rich)
    unlimited = [r for r in rewards if r.stock is None]
    for number, membership in enumerate(rich[:12]):
        reward = unlimited[number % len(unlimited)]
        order = services.reward_order_place(
            membership=membership,
            reward=reward,
            hotel=hotels[number % len(hotels)],
            actor=None,
            idempotency_key=f"demo-order-{membership.pk}",
        )
        if number % 3 == 0:
            services.reward_order_fulfil(order=order, actor=None)
    from hotelcrm.models import Membership as StaffMembership
    from hotelcrm.models import Role

    desk = StaffMembership.objects.for_org(organization).filter(role=Role.FRONT_DESK).select_related("user").first()
    if desk is None:
        return
    for number, membership in enumerate(rich[12:16]):
        # Above the approval threshold: these wait in the managers' queue.
        services.adjustment_request(
            membership=membership,
            points=1500 + 500 * number,
            reason="Goodwill for a noisy room",
            actor=desk.user,
            hotel=desk.hotel,
            is_goodwill=True,
        )


def _every_tier_held(organization, today):
    """A member in every tier: where the last 12 months' stays left a tier empty, the best members
    below it hold it from last year's qualification (a tier is kept until `tier_valid_until`)."""
    tiers = list(Tier.objects.for_org(organization).order_by("-rank"))
    held = set(Membership.objects.for_org(organization).values_list("tier_id", flat=True).distinct())
    valid_until = today.replace(year=today.year + 1, day=28 if today.month == 2 and today.day == 29 else today.day)
    for tier in tiers[:-1]:  # the entry tier is everyone else's
        if tier.pk in held:
            continue
        below = (
            Membership.objects.for_org(organization)
            .filter(tier__rank__lt=tier.rank, status="active")
            .order_by("-balance", "pk")
            .values_list("pk", flat=True)[:2]
        )
        Membership.objects.for_org(organization).filter(pk__in=list(below)).update(
            tier=tier, tier_valid_until=valid_until
        )
        held.add(tier.pk)


def demo_step(run):
    """This app's step of `hotelcrm.demo.demo_seed` (registered in its AppConfig.ready)."""
    demo_seed_extras(run.tenants, seed=run.seed, now=run.now)
