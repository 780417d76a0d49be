"""The demo guest and stay rows, generated fast enough for a million guests: every value is
drawn from one `random.Random` and formatted as COPY text here (`guests.demo_copy` writes them)."""

import datetime
from bisect import bisect_right
from dataclasses import dataclass

from django.utils import timezone

from guests.demo_names import (
    CHINESE_FAMILY_NAMES,
    CHINESE_GIVEN_CHARACTERS,
    CHINESE_NATIONALITIES,
    GENDERS,
    GUEST_MIXES,
    INTERNATIONAL_CULTURES,
)
from guests.models import fold_for_search
from hotelcrm.demo import hotel_spec

# Stays are spread over this many days back from today, and this many days ahead.
HISTORY_DAYS = 3 * 365
BOOKING_HORIZON_DAYS = 42
# Stays per guest: most come once or twice, a few are regulars (mean about 3.1).
_STAY_COUNTS = ((1, 30), (2, 22), (3, 16), (4, 11), (5, 8), (6, 5), (8, 5), (12, 3))
_NIGHTS = ((1, 30), (2, 25), (3, 18), (4, 10), (5, 6), (6, 3), (7, 4), (10, 2), (14, 2))


class _Picker:
    """Weighted choice with one random draw and a bisect (random.choices is slower per call)."""

    __slots__ = ("items", "cumulative", "total", "last")

    def __init__(self, pairs):
        self.items = [item for item, _weight in pairs]
        self.cumulative = []
        total = 0.0
        for _item, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total
        self.last = len(self.items) - 1

    def __call__(self, draw):
        index = bisect_right(self.cumulative, draw * self.total)
        return self.items[index if index <= self.last else self.last]


# --- Guest and stay rows ---------------------------------------------------------------------
# Columns of the COPY rows, in order. A guest row leads with its id, a stay row with its
# guest's id; the generator yields the rest, every value already text for COPY.
GUEST_COLUMNS = (
    "id",
    "organization_id",
    "family_name",
    "given_name",
    "native_name",
    "gender",
    "nationality",
    "preferred_language",
    "search_name",
    "created_at",
    "updated_at",
)
STAY_COLUMNS = (
    "guest_id",
    "organization_id",
    "hotel_id",
    "pms_reservation_id",
    "arrival_on",
    "departure_on",
    "room_number",
    "status",
    "room_revenue",
    "fb_revenue",
    "other_revenue",
    "created_at",
)

_SECONDS_PER_DAY = 86_400


@dataclass
class _HotelPlan:
    pk: int
    code: str
    today: int  # the hotel's local date as an ordinal
    utc_offset: int  # seconds east of UTC at seeding time
    rooms: list
    rate_low: int  # nightly rate in cents
    rate_span: int
    reservation_prefix: str
    today_quota: int = 0
    reservations: int = 0


def _hotel_plans(hotels, now, n_guests):
    plans = []
    for hotel in hotels:
        spec = hotel_spec(hotel.code)
        local_now = now.astimezone(hotel.tz)
        low, high = spec.nightly_rate
        plans.append(
            _HotelPlan(
                pk=hotel.pk,
                code=hotel.code,
                today=local_now.date().toordinal(),
                # One offset per hotel: booking times may be an hour off across a DST change,
                # which no screen shows; the dates, which screens do show, are exact.
                utc_offset=int(local_now.utcoffset().total_seconds()),
                rooms=[
                    f"{floor}{room:02d}"
                    for floor in range(spec.floors[0], spec.floors[1] + 1)
                    for room in range(1, spec.rooms_per_floor + 1)
                ],
                rate_low=low * 100,
                rate_span=(high - low) * 100,
                reservation_prefix=hotel.code.upper()[:12] + "-",
                # A busy desk, but not a swamped one: every hotel gets arrivals today.
                today_quota=max(4, min(150, n_guests // (150 * max(1, len(hotels))))),
            )
        )
    return plans


def _home_hotel_picker(hotels):
    return _Picker([(index, hotel_spec(h.code).share) for index, h in enumerate(hotels)])


def guest_rows(organization, hotels, n_guests, rng, *, now=None, guest_mix=None):
    """Yield `(guest_row, stay_rows)` for `n_guests` guests of `organization`, all from `rng`.

    `guest_row` is GUEST_COLUMNS without the id, `stay_rows` are STAY_COLUMNS without the
    guest id, every value already formatted as COPY text. The same organization, hotels,
    `rng` state and `now` give the same rows. Stay dates follow each hotel's local "today":
    past stays are checked out (or cancelled / no-show), current ones in house, future ones
    booked, and the first guests include arrivals for today at every hotel.
    """
    now = now or timezone.now()
    hotels = list(hotels)
    if not hotels:
        raise ValueError("The organization needs at least one hotel to give its guests stays.")
    mix_name = guest_mix or ("china" if organization.default_language.startswith("zh") else "international")
    culture_pick = _Picker(list(GUEST_MIXES[mix_name].items()))
    gender_pick = _Picker(GENDERS)
    stay_count_pick = _Picker(_STAY_COUNTS)
    nights_pick = _Picker(_NIGHTS)
    family_pick = _Picker([((hanzi, pinyin), weight) for hanzi, pinyin, weight in CHINESE_FAMILY_NAMES])
    chinese_nationality_pick = _Picker([((code, language), weight) for code, language, weight in CHINESE_NATIONALITIES])
    given_chars = CHINESE_GIVEN_CHARACTERS
    cultures = {name: (culture, _Picker(culture.nationalities)) for name, culture in INTERNATIONAL_CULTURES.items()}
    plans = _hotel_plans(hotels, now, n_guests)
    home_pick = _home_hotel_picker(hotels)
    n_hotels = len(plans)
    today_guests = sum(plan.today_quota for plan in plans)

    org_id = str(organization.pk)
    now_seconds = int(now.timestamp()) + datetime.date(1970, 1, 1).toordinal() * _SECONDS_PER_DAY
    reference_today = max(plan.today for plan in plans)
    first_day = reference_today - HISTORY_DAYS
    last_day = reference_today + BOOKING_HORIZON_DAYS
    dates = {}

    def day_text(ordinal):
        text = dates.get(ordinal)
        if text is None:
            text = dates[ordinal] = datetime.date.fromordinal(ordinal).isoformat()
        return text

    def timestamp_text(seconds):
        day, rest = divmod(seconds, _SECONDS_PER_DAY)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{day_text(day)} {hours:02d}:{minutes:02d}:{secs:02d}+00"

    def money(cents):
        return f"{cents // 100}.{cents % 100:02d}"

    folded = {}
    random_ = rng.random

    for index in range(n_guests):
        # --- who -----------------------------------------------------------------------------
        culture_name = culture_pick(random_())
        gender = gender_pick(random_())
        sex = gender if gender in ("male", "female") else ("male" if random_() < 0.5 else "female")
        if culture_name == "chinese":
            family_hanzi, family_name = family_pick(random_())
            chars = given_chars["m" if sex == "male" else "f"]
            first_hanzi, first_pinyin = chars[int(random_() * len(chars))]
            if random_() < 0.65:
                second_hanzi, second_pinyin = chars[int(random_() * len(chars))]
                given_name = first_pinyin + second_pinyin.lower()
                native_name = family_hanzi + first_hanzi + second_hanzi
            else:
                given_name = first_pinyin
                native_name = family_hanzi + first_hanzi
            nationality, language = chinese_nationality_pick(random_())
        else:
            culture, nationality_pick = cultures[culture_name]
            names = culture.male if sex == "male" else culture.female
            given_name = names[int(random_() * len(names))]
            family_name = culture.family[int(random_() * len(culture.family))]
            if sex == "female" and culture.feminine_family_suffix:
                family_name += culture.feminine_family_suffix
            native_name = ""
            nationality = nationality_pick(random_())
            language = culture.language
        key = (family_name, given_name, native_name)
        search_name = folded.get(key)
        if search_name is None:
            # Exactly what GuestProfile.save() stores, so search finds seeded guests too.
            search_name = folded[key] = fold_for_search(family_name, given_name, native_name)

        # --- when and where they stayed ----------------------------------------------------------
        home = home_pick(random_())
        count = stay_count_pick(random_())
        arriving_today = plans[index % n_hotels] if index < today_guests else None
        window_end = last_day if arriving_today is None else reference_today - 15
        window_start = first_day + int(random_() * (window_end - first_day) * 0.6) if count > 1 else first_day
        span = window_end - window_start
        arrivals = sorted(window_start + int(random_() * span) for _ in range(count))
        visits = []
        free_from = 0
        for arrival in arrivals:
            if arrival < free_from:
                arrival = free_from + int(random_() * 30)
            nights = nights_pick(random_())
            if arrival > window_end:
                break
            plan = plans[home] if n_hotels == 1 or random_() < 0.75 else plans[int(random_() * n_hotels)]
            visits.append((plan, arrival, nights))
            free_from = arrival + nights + 1
        if arriving_today is not None:
            visits.append((arriving_today, arriving_today.today, nights_pick(random_())))

        stays = []
        first_booked = None
        last_touched = None
        for plan, arrival, nights in visits:
            today = plan.today
            departure = arrival + nights
            draw = random_()
            if arrival > today:
                status = "cancelled" if draw < 0.08 else "booked"
            elif arrival == today:
                status = "cancelled" if draw < 0.05 else ("in_house" if draw < 0.30 else "booked")
            elif departure > today:
                status = "no_show" if draw < 0.01 else ("cancelled" if draw < 0.03 else "in_house")
            elif departure == today:
                status = "checked_out" if draw < 0.55 else "in_house"
            else:
                status = "cancelled" if draw < 0.06 else ("no_show" if draw < 0.09 else "checked_out")

            if status == "checked_out":
                charged_nights = nights
            elif status == "in_house":
                charged_nights = today - arrival
            elif status == "no_show":
                charged_nights = 1
            else:
                charged_nights = 0
            # Every draw below happens whatever the branch, so the random stream (and with it
            # every later guest's name) does not depend on the clock, only on the seed.
            rate = plan.rate_low + int(random_() * plan.rate_span)
            room = rate * charged_nights
            fb_draw, fb_share, other_draw, other_share = random_(), random_(), random_(), random_()
            # A no-show pays the first night as a fee, and nothing at the restaurant.
            spends = status in ("checked_out", "in_house")
            fb = int(room * fb_share * 0.45) if spends and fb_draw < 0.7 else 0
            other = int(room * other_share * 0.12) if spends and other_draw < 0.5 else 0
            room_number = plan.rooms[int(random_() * len(plan.rooms))]

            # Booked between the day itself and four months ahead, in the hotel's daytime.
            lead_days = int(random_() * random_() * 120)
            booked_at = (arrival - lead_days) * _SECONDS_PER_DAY + 25_200 + int(random_() * 57_600) - plan.utc_offset
            jitter = int(random_() * 3_600)
            if booked_at >= now_seconds:
                booked_at = now_seconds - 60 - jitter
            if first_booked is None or booked_at < first_booked:
                first_booked = booked_at
            touched = (
                booked_at
                if status in ("booked", "cancelled")
                else min(departure * _SECONDS_PER_DAY + 39_600 - plan.utc_offset, now_seconds - 1)
            )
            if last_touched is None or touched > last_touched:
                last_touched = touched

            plan.reservations += 1
            stays.append(
                (
                    org_id,
                    str(plan.pk),
                    f"{plan.reservation_prefix}{plan.reservations:08d}",
                    day_text(arrival),
                    day_text(departure),
                    room_number if status not in ("cancelled", "no_show") else "",
                    status,
                    money(room),
                    money(fb),
                    money(other),
                    timestamp_text(booked_at),
                )
            )

        created_at = first_booked - int(random_() * 3 * _SECONDS_PER_DAY)
        updated_at = max(created_at, last_touched)
        guest = (
            org_id,
            family_name,
            given_name,
            native_name,
            gender,
            nationality,
            language,
            search_name,
            timestamp_text(created_at),
            timestamp_text(updated_at),
        )
        yield guest, stays
