"""Demo guests: the guests and stays of the demo organizations (`hotelcrm.demo` creates those),
the preference catalog, and preferences and special dates for the guests arriving this week.

`seed_demo` and the `seed` benchmark share this code, so the benchmark times the very rows the
demo loads: `guests.demo_rows` generates them, `guests.demo_copy` COPYs them in.
"""

import datetime

from django.db import connection as default_connection

from guests.catalog import preference_catalog_seed
from guests.demo_copy import (  # noqa: F401  (the benchmarks use these through this module)
    CHUNK_GUESTS,
    CopyChunk,
    CopyPlan,
    LoadResult,
    copy_chunk_into,
    copy_chunks,
    copy_plan,
    load_guests_and_stays,
    sequence_id_allocator,
)
from guests.demo_rows import BOOKING_HORIZON_DAYS, GUEST_COLUMNS, HISTORY_DAYS, STAY_COLUMNS, guest_rows  # noqa: F401
from guests.demo_trainer import demo_contacts_add, demo_phone_hint, demo_trainer_cast
from guests.models import GuestPreference, GuestProfile, PreferenceType, SpecialDate, Stay, StayStatus
from hotelcrm.demo import demo_guest_counts, demo_rng


def demo_guests_load(connection, tenants, *, n_guests, seed, now, progress=None):
    """Load the demo guests and stays of `demo_tenants_ensure()`'s tenants; one LoadResult each."""
    return [
        load_guests_and_stays(
            connection,
            organization,
            hotels,
            count,
            demo_rng(seed, spec.slug),
            now=now,
            progress=progress,
            guest_mix=spec.guest_mix,
        )
        for (spec, organization, hotels), count in zip(tenants, demo_guest_counts(n_guests))
    ]


# Preferences the demo gives guests arriving soon: (catalog code, values to pick from).
_DEMO_PREFERENCES = (
    ("pillow", ("Feather", "Down-free", "Buckwheat", "Memory foam", "Extra firm")),
    ("tea-coffee", ("Tea", "Coffee", "Both")),
    ("drink", ("Pu'er tea", "Sparkling water", "Fresh orange juice", "Oat-milk flat white", "Single malt, no ice")),
    ("breakfast-time", ("06:30", "07:00", "07:30", "08:00", "09:30")),
    ("newspaper", ("China Daily", "South China Morning Post", "Financial Times", "People's Daily", "The Times")),
    ("room-set-up", ("Twin beds", "Extra desk lamp", "Blackout curtains closed", "Humidifier", "Yoga mat")),
    ("fruit", ("Hami melon", "Mango", "Lychee", "Seasonal berries")),
    ("smoker", ("Non-smoker", "Non-smoker", "Non-smoker", "Smoker")),
    ("golfer", ("yes", "no")),
    ("english-level", ("None", "Basic", "Fluent", "Native")),
)
# Guests arriving within this many days get preferences and special dates in the demo.
DEMO_PROFILE_DAYS = 7
DEMO_PROFILED_PER_HOTEL = 80


def demo_guest_extras(tenants, *, seed, now):
    """Give the demo catalog to each organization, and guests arriving in the coming week
    preferences and special dates (some lunar birthdays falling during their stay), so the
    briefing has something to show. Bulk inserts, a few queries per organization.
    """
    from lunardate import LunarDate

    for spec, organization, hotels in tenants:
        preference_catalog_seed(organization=organization)
        rng = demo_rng(seed, f"{spec.slug}:profiles")
        types = {
            t.code: t
            for t in PreferenceType.objects.for_org(organization).filter(code__in=[c for c, _v in _DEMO_PREFERENCES])
        }
        preferences, special_dates, seen = [], [], set()
        for hotel in hotels:
            today = now.astimezone(hotel.tz).date()
            arrivals = (
                Stay.objects.for_hotel(hotel)
                .filter(arrival_on__range=(today, today + datetime.timedelta(days=DEMO_PROFILE_DAYS)))
                .exclude(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
                .order_by("arrival_on", "pk")
                .values_list("guest_id", "arrival_on", "departure_on")[:DEMO_PROFILED_PER_HOTEL]
            )
            for guest_id, arrival_on, departure_on in arrivals:
                if guest_id in seen:
                    continue
                seen.add(guest_id)
                for code, values in rng.sample(_DEMO_PREFERENCES, rng.randint(2, 5)):
                    if code in types:
                        preferences.append(
                            GuestPreference(
                                organization=organization,
                                guest_id=guest_id,
                                preference_type=types[code],
                                value=rng.choice(values),
                            )
                        )
                # About one guest in four has a birthday during the stay, half of them on the lunar calendar.
                if rng.random() < 0.25:
                    day = arrival_on + datetime.timedelta(days=rng.randint(0, (departure_on - arrival_on).days))
                    if rng.random() < 0.5:
                        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
                        special_dates.append(
                            SpecialDate(
                                organization=organization,
                                guest_id=guest_id,
                                kind="birthday",
                                calendar="lunar",
                                month=lunar.month,
                                day=lunar.day,
                                is_leap_month=lunar.is_leap_month,
                            )
                        )
                    else:
                        special_dates.append(
                            SpecialDate(
                                organization=organization,
                                guest_id=guest_id,
                                kind="birthday",
                                month=day.month,
                                day=day.day,
                            )
                        )
                elif rng.random() < 0.15:
                    day = arrival_on + datetime.timedelta(days=rng.randint(-60, 60))
                    special_dates.append(
                        SpecialDate(
                            organization=organization,
                            guest_id=guest_id,
                            kind="anniversary",
                            month=day.month,
                            day=day.day,
                        )
                    )
        GuestPreference.objects.bulk_create(preferences, batch_size=1000)
        SpecialDate.objects.bulk_create(special_dates, batch_size=1000)


def demo_copy_chunks(connection, tenants, *, n_guests, seed, now, first_guest_id=1):
    """The exact COPY chunks `demo_guests_load` would write, with guest ids counted from
    `first_guest_id` (what the identity sequence hands out after TRUNCATE ... RESTART IDENTITY).
    """
    plan = copy_plan(connection)
    next_id = first_guest_id
    chunks = []

    def allocate(count):
        nonlocal next_id
        ids = list(range(next_id, next_id + count))
        next_id += count
        return ids

    for (spec, organization, hotels), count in zip(tenants, demo_guest_counts(n_guests)):
        records = guest_rows(organization, hotels, count, demo_rng(seed, spec.slug), now=now, guest_mix=spec.guest_mix)
        chunks.extend(copy_chunks(records, allocate_ids=allocate, plan=plan))
    return plan, chunks


def demo_step(run):
    """The guests' step of `hotelcrm.demo.demo_seed` (registered in GuestsConfig.ready)."""
    loads = demo_guests_load(
        default_connection, run.tenants, n_guests=run.n_guests, seed=run.seed, now=run.now, progress=run.progress
    )
    for (_spec, organization, _hotels), loaded in zip(run.tenants, loads):
        run.loaded[organization.pk] = {"guests": loaded.guests, "stays": loaded.stays}
    with default_connection.cursor() as cursor:
        # Fresh statistics right after the COPY, so the later steps' set-based SQL (loyalty's
        # ledger, the rollups, churn scoring) and the first page views get sensible plans.
        cursor.execute(f"ANALYZE {GuestProfile._meta.db_table}, {Stay._meta.db_table}")
    demo_guest_extras(run.tenants, seed=run.seed, now=run.now)
    for _spec, organization, hotels in run.tenants:
        demo_contacts_add(organization, seed=run.seed)
        run.hints += demo_trainer_cast(organization, hotels, seed=run.seed, now=run.now)
        hint = demo_phone_hint(organization, hotels[0], now=run.now) if hotels else None
        if hint:
            run.hints.append(hint)


def demo_finish_step(run):
    """After every domain's demo data: what COPY skipped."""
    # Loaded with COPY, so no signal computed the duplicate pairs: the queue needs them now.
    from guests.duplicates import duplicate_pairs_rebuild

    for _spec, organization, _hotels in run.tenants:
        duplicate_pairs_rebuild(organization_id=organization.pk)
