"""Generated raw rows for the report tests, and independent computations of the figures from them."""
import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal

from guests.models import GuestProfile, Stay
from reports.rollups import age_band

DEAD = {"cancelled", "no_show"}
START = datetime.date(2026, 3, 1)
END = datetime.date(2026, 3, 31)


def generate_stays(tenant, *, seed=7, guests=40, stays=160):
    rng = random.Random(seed)
    organization = tenant.organization
    profiles = [
        GuestProfile.objects.create(
            organization=organization, family_name=f"Gen{i}", given_name="Guest",
            guest_type=rng.choice(["business", "leisure", "family", "group", ""]),
            gender=rng.choice(["male", "female", "unknown"]),
            nationality=rng.choice(["CN", "GB", "US", "JP", ""]),
            birth_year=rng.choice([None, 1950, 1962, 1975, 1983, 1991, 2003]),
            is_confidential=(i % 11 == 0),
        )
        for i in range(guests)
    ]
    rows = []
    for i in range(stays):
        hotel = tenant.hotels[i % 2]
        arrival = START - datetime.timedelta(days=45) + datetime.timedelta(days=rng.randrange(0, 80))
        rows.append(Stay(
            organization=organization, hotel=hotel, guest=rng.choice(profiles), pms_reservation_id=f"GEN-{seed}-{i}",
            arrival_on=arrival, departure_on=arrival + datetime.timedelta(days=rng.randrange(0, 5)),
            status=rng.choice(["checked_out", "checked_out", "checked_out", "in_house", "booked", "cancelled", "no_show"]),
            room_revenue=Decimal(rng.randrange(0, 300000)) / 100, fb_revenue=Decimal(rng.randrange(0, 50000)) / 100,
            other_revenue=Decimal(rng.randrange(0, 9000)) / 100,
        ))
    Stay.objects.bulk_create(rows)
    return profiles


def _value(dimension, stay, guest):
    if dimension == "guest_type":
        return guest.guest_type or "unknown"
    if dimension == "gender":
        return guest.gender or "unknown"
    if dimension == "nationality":
        return guest.nationality or "--"
    return age_band(stay.arrival_on.year - guest.birth_year if guest.birth_year is not None else None)


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
