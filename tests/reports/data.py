"""Generated raw rows for the report tests, and independent computations of the figures from them."""

import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal

from guests.models import GuestProfile, Stay
from reports.rollups import age_at, age_band

DEAD = {"cancelled", "no_show"}
START = datetime.date(2026, 3, 1)
END = datetime.date(2026, 3, 31)


def generate_stays(tenant, *, seed=7, guests=40, stays=160):
    rng = random.Random(seed)
    organization = tenant.organization
    profiles = [
        GuestProfile.objects.create(
            organization=organization,
            family_name=f"Gen{i}",
            given_name="Guest",
            guest_type=rng.choice(["business", "leisure", "family", "group", ""]),
            gender=rng.choice(["male", "female", "unknown"]),
            nationality=rng.choice(["CN", "GB", "US", "JP", ""]),
            birth_decade=rng.choice([None, 1950, 1960, 1970, 1980, 1990, 2000]),
            is_confidential=(i % 11 == 0),
        )
        for i in range(guests)
    ]
    rows = []
    for i in range(stays):
        hotel = tenant.hotels[i % 2]
        arrival = START - datetime.timedelta(days=45) + datetime.timedelta(days=rng.randrange(0, 80))
        rows.append(
            Stay(
                organization=organization,
                hotel=hotel,
                guest=rng.choice(profiles),
                pms_reservation_id=f"GEN-{seed}-{i}",
                arrival_on=arrival,
                departure_on=arrival + datetime.timedelta(days=rng.randrange(0, 5)),
                status=rng.choice(
                    ["checked_out", "checked_out", "checked_out", "in_house", "booked", "cancelled", "no_show"]
                ),
                room_revenue=Decimal(rng.randrange(0, 300000)) / 100,
                fb_revenue=Decimal(rng.randrange(0, 50000)) / 100,
                other_revenue=Decimal(rng.randrange(0, 9000)) / 100,
            )
        )
    Stay.objects.bulk_create(rows)
    return profiles


def _value(dimension, stay, guest):
    if dimension == "guest_type":
        return guest.guest_type or "unknown"
    if dimension == "gender":
        return guest.gender or "unknown"
    if dimension == "nationality":
        return guest.nationality or "--"
    return age_band(age_at(stay.arrival_on, guest.birth_decade))


def expected_stays(organization, hotel_ids, start, end):
    """The dashboard's stay figures, computed in Python from every raw stay of the organization."""
    all_stays = sorted(
        (s for s in Stay.objects.for_org(organization).select_related("guest") if s.status not in DEAD),
        key=lambda s: (s.arrival_on, s.pk),
    )
    seen, first_ids = set(), set()
    for stay in all_stays:
        if stay.guest_id not in seen:
            seen.add(stay.guest_id)
            first_ids.add(stay.pk)
    chosen = [s for s in all_stays if s.hotel_id in hotel_ids and start <= s.arrival_on <= end]
    totals = {
        "arrivals": len(chosen),
        "new_guests": sum(1 for s in chosen if s.pk in first_ids),
        "nights": sum((s.departure_on - s.arrival_on).days for s in chosen),
        "room_revenue": sum((s.room_revenue for s in chosen), Decimal(0)),
        "fb_revenue": sum((s.fb_revenue for s in chosen), Decimal(0)),
        "other_revenue": sum((s.other_revenue for s in chosen), Decimal(0)),
    }
    by_dimension = {}
    for dimension in ("guest_type", "gender", "nationality", "age_band"):
        counts, new = Counter(), Counter()
        for s in chosen:
            value = _value(dimension, s, s.guest)
            counts[value] += 1
            new[value] += s.pk in first_ids
        by_dimension[dimension] = {value: (counts[value], new[value]) for value in counts}
    per_day = defaultdict(int)
    for s in chosen:
        per_day[s.arrival_on] += 1
    return totals, by_dimension, dict(per_day), chosen, first_ids


ROOT_CAUSES = ["Broken air conditioner", "broken  AIR conditioner ", "Slow check-in", "Noise from the bar", "", ""]


def generate_complaints(tenant, *, seed=11, count=120):
    """Complaints over both hotels around START..END, at any minute of the local day, many of them resolved."""
    from complaints.models import Complaint

    rng = random.Random(seed)
    organization = tenant.organization
    rows = []
    for i in range(count):
        hotel = tenant.hotels[i % 2]
        local_day = START - datetime.timedelta(days=40) + datetime.timedelta(days=rng.randrange(0, 75))
        local = datetime.datetime.combine(
            local_day, datetime.time(rng.choice([0, 7, 12, 23]), rng.randrange(0, 60)), tzinfo=hotel.tz
        )
        rows.append(_complaint_row(organization, hotel, local, rng, i))
    # The edges of the period in each hotel's own time: 23:30 on the last day counts, 00:10 after it does not.
    for hotel in tenant.hotels:
        for local in (
            datetime.datetime.combine(END, datetime.time(23, 30), tzinfo=hotel.tz),
            datetime.datetime.combine(END + datetime.timedelta(days=1), datetime.time(0, 10), tzinfo=hotel.tz),
            datetime.datetime.combine(START, datetime.time(0, 5), tzinfo=hotel.tz),
        ):
            rows.append(_complaint_row(organization, hotel, local, rng, len(rows)))
    Complaint.objects.bulk_create(rows)


def _complaint_row(organization, hotel, local, rng, i):
    from complaints.models import Complaint

    received = local.astimezone(datetime.UTC)
    acknowledged = received + datetime.timedelta(minutes=rng.randrange(0, 300)) if rng.random() < 0.8 else None
    resolved = (
        received + datetime.timedelta(minutes=rng.randrange(20, 6000)) if acknowledged and rng.random() < 0.7 else None
    )
    status = (
        "cancelled"
        if i % 13 == 0
        else ("resolved" if resolved else rng.choice(["received", "acknowledged", "in_progress"]))
    )
    return Complaint(
        organization=organization,
        hotel=hotel,
        category=rng.choice(["service", "hygiene", "facility"]),
        description="generated",
        received_at=received,
        acknowledge_due_at=received + datetime.timedelta(minutes=30),
        resolve_due_at=received + datetime.timedelta(hours=24),
        hard_due_at=received + datetime.timedelta(hours=48),
        acknowledged_at=acknowledged,
        resolved_at=resolved,
        status=status,
        satisfaction=rng.choice([None, 1, 2, 3, 4, 5]) if resolved else None,
        root_cause=rng.choice(ROOT_CAUSES) if resolved else "",
        reopen_count=rng.choice([0, 0, 0, 1]),
        outcome=rng.choice(["justified", "not_justified", ""]) if resolved else "",
    )


def lower_median(values):
    values = sorted(values)
    return values[(len(values) + 1) // 2 - 1] if values else None


def expected_complaints(organization, hotels, start, end):
    """The complaints the dashboard counts for `hotels` over local days start..end, straight from the raw rows."""
    from complaints.models import Complaint

    tz = {hotel.pk: hotel.tz for hotel in hotels}
    return [
        c
        for c in Complaint.objects.for_org(organization).filter(hotel_id__in=list(tz))
        if c.status != "cancelled" and start <= c.received_at.astimezone(tz[c.hotel_id]).date() <= end
    ]


COMMENTS = ["Lovely stay", "", "  \n ", "The lift was slow", "", "谢谢"]


def generate_surveys(tenant, *, seed=21, count=90):
    """Survey answers at both hotels, answered at any local minute around START..END (edges included)."""
    from care.models import Campaign, Delivery, SurveyResponse

    rng = random.Random(seed)
    organization = tenant.organization
    guests = [
        GuestProfile.objects.create(
            organization=organization, family_name=f"Survey{i}", given_name="Guest", is_confidential=(i == 0)
        )
        for i in range(6)
    ]
    campaigns = {
        hotel.pk: Campaign.objects.create(
            organization=organization,
            hotel=hotel,
            name=f"Post-stay {seed}-{hotel.pk}",
            kind="post_stay",
            channel="email",
        )
        for hotel in tenant.hotels
    }
    moments = []
    for i in range(count):
        hotel = tenant.hotels[i % 2]
        local_day = START - datetime.timedelta(days=40) + datetime.timedelta(days=rng.randrange(0, 75))
        moments.append(
            (
                hotel,
                datetime.datetime.combine(
                    local_day, datetime.time(rng.choice([0, 9, 23]), rng.randrange(60)), tzinfo=hotel.tz
                ),
            )
        )
    for hotel in tenant.hotels:
        moments.append((hotel, datetime.datetime.combine(END, datetime.time(23, 45), tzinfo=hotel.tz)))
        moments.append(
            (hotel, datetime.datetime.combine(END + datetime.timedelta(days=1), datetime.time(0, 5), tzinfo=hotel.tz))
        )
    for i, (hotel, moment) in enumerate(moments):
        guest = guests[i % len(guests)]
        delivery = Delivery.objects.create(
            organization=organization,
            hotel=hotel,
            campaign=campaigns[hotel.pk],
            guest=guest,
            occasion_on=START + datetime.timedelta(days=i),
            channel="email",
            status="sent",
        )
        answer = SurveyResponse.objects.create(
            organization=organization,
            hotel=hotel,
            delivery=delivery,
            guest=guest,
            csat=rng.randint(1, 5),
            nps=rng.randint(0, 10),
            comment=rng.choice(COMMENTS),
        )
        SurveyResponse.objects.for_org(organization).filter(pk=answer.pk).update(
            created_at=moment.astimezone(datetime.UTC)
        )


def expected_surveys(organization, hotels, start, end):
    from care.models import SurveyResponse

    tz = {hotel.pk: hotel.tz for hotel in hotels}
    return [
        r
        for r in SurveyResponse.objects.for_org(organization).filter(hotel_id__in=list(tz))
        if start <= r.created_at.astimezone(tz[r.hotel_id]).date() <= end
    ]


def nps_of(answers):
    if not answers:
        return None
    return round(100 * (sum(1 for a in answers if a.nps >= 9) - sum(1 for a in answers if a.nps <= 6)) / len(answers))


def _at(hotel, day, hour, minute):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=hotel.tz).astimezone(datetime.UTC)


def generate_reward_orders(tenant, *, seed=31):
    """Orders of three rewards at both hotels, placed at local times around the period's edges; some cancelled."""
    from hotelcrm.models import Role
    from loyalty import services as loyalty
    from loyalty.models import RedemptionOrder, Reward

    rng = random.Random(seed)
    organization, desk = tenant.organization, tenant.users[Role.FRONT_DESK]
    guests = [
        GuestProfile.objects.create(organization=organization, family_name=f"Member{seed}-{i}", given_name="Guest")
        for i in range(3)
    ]
    members = [loyalty.membership_enrol(guest=g, actor=desk, hotel=tenant.hotels[0]) for g in guests]
    rewards = [
        Reward.objects.create(
            organization=organization, kind="breakfast", name=f"Reward {seed}-{n}", points_price=100 * (n + 1)
        )
        for n in range(3)
    ]
    for i in range(40):
        hotel = tenant.hotels[i % 2]
        day = START - datetime.timedelta(days=10) + datetime.timedelta(days=rng.randrange(0, 45))
        reward, quantity = rng.choice(rewards), rng.randint(1, 3)
        order = RedemptionOrder.objects.create(
            organization=organization,
            membership=rng.choice(members),
            reward=reward,
            hotel=hotel,
            quantity=quantity,
            points=quantity * reward.points_price,
            idempotency_key=f"gen-{seed}-{i}",
            status=rng.choice(["placed", "fulfilled", "fulfilled", "cancelled"]),
        )
        RedemptionOrder.objects.for_org(organization).filter(pk=order.pk).update(
            placed_at=_at(hotel, day, rng.choice([0, 12, 23]), 30)
        )
    for hotel in tenant.hotels:  # 23:30 on the last day counts; 00:05 after it does not
        for n, moment in enumerate((_at(hotel, END, 23, 30), _at(hotel, END + datetime.timedelta(days=1), 0, 5))):
            order = RedemptionOrder.objects.create(
                organization=organization,
                membership=members[0],
                reward=rewards[0],
                hotel=hotel,
                quantity=1,
                points=100,
                idempotency_key=f"edge-{seed}-{hotel.pk}-{n}",
            )
            RedemptionOrder.objects.for_org(organization).filter(pk=order.pk).update(placed_at=moment)


def expected_reward_orders(organization, hotels, start, end):
    from loyalty.models import RedemptionOrder

    tz = {h.pk: h.tz for h in hotels}
    return [
        o
        for o in RedemptionOrder.objects.for_org(organization).filter(hotel_id__in=list(tz)).select_related("reward")
        if o.status != "cancelled" and start <= o.placed_at.astimezone(tz[o.hotel_id]).date() <= end
    ]


def generate_call_tasks(tenant, *, seed=41):
    """Call tasks due in and around the period, done before, on (at 23:30 local) or after their due day, or still open."""
    from care.models import CallTask

    rng = random.Random(seed)
    organization = tenant.organization
    guest = GuestProfile.objects.create(organization=organization, family_name=f"Caller{seed}", given_name="Guest")
    for i in range(50):
        hotel = tenant.hotels[i % 2]
        due = START - datetime.timedelta(days=5) + datetime.timedelta(days=rng.randrange(0, 40))
        status = rng.choice(["done", "done", "open", "cancelled"])
        completed = None
        if status == "done":
            completed = rng.choice(
                [
                    _at(hotel, due, 23, 30),
                    _at(hotel, due + datetime.timedelta(days=1), 0, 10),
                    _at(hotel, due - datetime.timedelta(days=1), 10, 0),
                    _at(hotel, due + datetime.timedelta(days=3), 9, 0),
                ]
            )
        CallTask.objects.create(
            organization=organization,
            hotel=hotel,
            guest=guest,
            due_on=due,
            status=status,
            completed_at=completed,
            outcome="reached" if completed else "",
        )


def expected_call_tasks(organization, hotels, start, end):
    from care.models import CallTask

    tz = {h.pk: h.tz for h in hotels}
    tasks = [
        t
        for t in CallTask.objects.for_org(organization).filter(hotel_id__in=list(tz))
        if t.status != "cancelled" and start <= t.due_on <= end
    ]
    on_time = [
        t
        for t in tasks
        if t.status == "done" and t.completed_at and t.completed_at.astimezone(tz[t.hotel_id]).date() <= t.due_on
    ]
    return tasks, on_time
