"""The arrivals briefing: who arrives at a hotel on a day, with what housekeeping and F&B should prepare.

A constant number of queries whatever the number of arrivals, preferences and special dates:
the stays with their guests (one query), the guests' preferences with their types (one), their
special dates (one), plus whatever the caller's `may_open` and the registered extensions need
(each one query for all rows).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from guests.catalog import CATEGORY_ORDER, category_label, choice_label, preference_type_label
from guests.dates import gregorian_in_year, occurrences_between
from guests.models import (
    CalendarKind,
    GuestPreference,
    PreferenceValueType,
    SpecialDate,
    SpecialDateKind,
    Stay,
    StayStatus,
)
from guests.selectors import arrivals_on

# Callables `extension(*, hotel, day, rows)` that fill `open_complaints` / `tier` of the rows
# (complaints and loyalty register theirs in their AppConfig.ready; guests imports neither).
# Each must read all rows in one query and look only at rows whose `guest_id` is set.
BRIEFING_EXTENSIONS = []


def briefing_extension_register(extension):
    if extension not in BRIEFING_EXTENSIONS:
        BRIEFING_EXTENSIONS.append(extension)
    return extension


@dataclass
class BriefingOccasion:
    kind: str
    label: str
    on: datetime.date
    is_birthday: bool
    is_lunar: bool
    lunar_label: str = ""


@dataclass
class BriefingRow:
    """One arrival. A masked row (confidential guest the reader may not open) carries the room only."""

    stay_id: int
    room_number: str
    is_masked: bool
    guest_id: int | None = None
    guest_name: str = ""
    room_type: str = ""
    nights: int = 0
    departure_on: datetime.date | None = None
    vip_level: int = 0
    guest_type: str = ""
    preference_groups: list = field(default_factory=list)  # [(category label, [(name, value)])]
    has_health_notes: bool = False
    occasions: list = field(default_factory=list)
    # Filled by the complaints and loyalty apps through BRIEFING_EXTENSIONS; empty without them.
    open_complaints: list = field(default_factory=list)
    tier: str = ""

    @property
    def birthdays(self):
        return [occasion for occasion in self.occasions if occasion.is_birthday]

    @property
    def other_occasions(self):
        return [occasion for occasion in self.occasions if not occasion.is_birthday]


def _preference_value(preference):
    preference_type = preference.preference_type
    if preference_type.value_type in (PreferenceValueType.CHOICE, PreferenceValueType.YES_NO):
        return choice_label(preference.value)
    return preference.value


def _preference_groups(preferences):
    groups = {}
    for preference in preferences:
        preference_type = preference.preference_type
        if preference_type.is_sensitive or not preference.value:
            continue
        groups.setdefault(preference_type.category, []).append(
            (preference_type.sort_order, preference_type_label(preference_type), _preference_value(preference))
        )
    ordered = sorted(groups.items(), key=lambda item: (CATEGORY_ORDER.get(item[0], len(CATEGORY_ORDER)), item[0]))
    return [
        (category_label(category), [(name, value) for _order, name, value in sorted(items)])
        for category, items in ordered
    ]


def _lunar_label(special_date):
    if special_date.is_leap_month:
        return _("lunar leap month %(month)s, day %(day)s") % {"month": special_date.month, "day": special_date.day}
    return _("lunar month %(month)s, day %(day)s") % {"month": special_date.month, "day": special_date.day}


def _occasions(special_dates, first_day, last_day):
    """Special dates celebrated from arrival to departure day, both included (the guest is in house on both)."""
    occasions = []
    for special_date in special_dates:
        is_lunar = special_date.calendar == CalendarKind.LUNAR
        for on in occurrences_between(special_date, first_day, last_day):
            occasions.append(
                BriefingOccasion(
                    kind=special_date.kind,
                    label=special_date.label or special_date.get_kind_display(),
                    on=on,
                    is_birthday=special_date.kind == SpecialDateKind.BIRTHDAY,
                    is_lunar=is_lunar,
                    lunar_label=_lunar_label(special_date) if is_lunar else "",
                )
            )
    occasions.sort(key=lambda occasion: (occasion.on, not occasion.is_birthday, occasion.label))
    return occasions


def briefing_arrivals(*, hotel, day):
    """Stays arriving at `hotel` on `day` (not cancelled, not no-show) with guests, preferences and special dates."""
    organization_id = hotel.organization_id
    preferences = (
        GuestPreference.objects.for_org(organization_id)
        .filter(preference_type__is_active=True)
        .select_related("preference_type")
        # Health values are never shown here; leave the ciphertext in the database.
        .defer("sensitive_value")
    )
    return arrivals_on(hotel=hotel, day=day).prefetch_related(
        Prefetch("guest__preferences", queryset=preferences),
        Prefetch("guest__special_dates", queryset=SpecialDate.objects.for_org(organization_id)),
    )


def briefing_get(*, hotel, day, may_open):
    """The briefing rows of `hotel` for `day`.

    `may_open(guests)` answers the ids of the guests the reader may open (one query for all);
    a confidential guest outside it shows as a masked row with the room only.
    """
    stays = list(briefing_arrivals(hotel=hotel, day=day))
    openable = may_open([stay.guest for stay in stays]) if stays else set()
    rows = []
    for stay in stays:
        guest = stay.guest
        if guest.pk not in openable:
            rows.append(BriefingRow(stay_id=stay.pk, room_number=stay.room_number, is_masked=True))
            continue
        preferences = list(guest.preferences.all())
        rows.append(
            BriefingRow(
                stay_id=stay.pk,
                room_number=stay.room_number,
                is_masked=False,
                guest_id=guest.pk,
                guest_name=guest.display_name,
                room_type=stay.room_type,
                nights=stay.nights,
                departure_on=stay.departure_on,
                vip_level=guest.vip_level,
                guest_type=guest.get_guest_type_display() if guest.guest_type else "",
                preference_groups=_preference_groups(preferences),
                has_health_notes=any(preference.preference_type.is_sensitive for preference in preferences),
                occasions=_occasions(guest.special_dates.all(), stay.arrival_on, stay.departure_on),
            )
        )
    if rows:
        for extension in BRIEFING_EXTENSIONS:
            extension(hotel=hotel, day=day, rows=rows)
    return rows


@dataclass
class BirthdayPerk:
    """A guest in house on their birthday: the hotel prepares a cake and a card."""

    stay_id: int
    room_number: str
    guest_id: int
    guest_name: str
    arriving: bool
    departing: bool
    is_lunar: bool = False
    lunar_label: str = ""


def _celebrates_birthday_on(guest, day):
    """(True, special date or None) when `guest` celebrates a birthday on `day`: the profile's own
    birth date (Gregorian) or a birthday special date (Gregorian or lunar)."""
    for special_date in guest.special_dates.all():
        if occurrences_between(special_date, day, day):
            return True, special_date
    birthday = guest.birth_month_day
    if birthday and gregorian_in_year(*birthday, day.year) == day:
        return True, None
    return False, None


def birthday_perks(*, hotel, day, may_open):
    """Guests in house at `hotel` on `day` (arriving, staying or leaving that day) whose birthday it is.

    Three queries whatever the number of guests in house: the stays with their guests, their
    birthday special dates, and `may_open`. A confidential guest the reader may not open is
    left out: the birthday is personal data, and a manager's list shows it.
    """
    stays = list(
        Stay.objects.for_hotel(hotel)
        .filter(arrival_on__lte=day, departure_on__gte=day)
        .exclude(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
        .select_related("guest")
        .order_by("room_number", "pk")
        .prefetch_related(
            Prefetch(
                "guest__special_dates",
                queryset=SpecialDate.objects.for_org(hotel.organization_id).filter(kind=SpecialDateKind.BIRTHDAY),
            )
        )
    )
    celebrating = []
    seen = set()
    for stay in stays:
        guest = stay.guest
        if guest.pk in seen:
            continue
        is_birthday, special_date = _celebrates_birthday_on(guest, day)
        if is_birthday:
            seen.add(guest.pk)
            celebrating.append((stay, special_date))
    if not celebrating:
        return []
    openable = may_open([stay.guest for stay, _special_date in celebrating])
    perks = []
    for stay, special_date in celebrating:
        if stay.guest_id not in openable:
            continue
        is_lunar = special_date is not None and special_date.calendar == CalendarKind.LUNAR
        perks.append(
            BirthdayPerk(
                stay_id=stay.pk,
                room_number=stay.room_number,
                guest_id=stay.guest_id,
                guest_name=stay.guest.display_name,
                arriving=stay.arrival_on == day,
                departing=stay.departure_on == day,
                is_lunar=is_lunar,
                lunar_label=_lunar_label(special_date) if is_lunar else "",
            )
        )
    return perks
