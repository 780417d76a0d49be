"""What the guest profile's header answers at a glance, from rows the page has already read.

Only `guest_health_flags` queries (one query); the rest works on the lists the profile view
fetched anyway, so the header adds no query per stay, preference or date.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from guests.dates import SpecialDateOutOfRange, next_occurrence
from guests.models import GuestPreference, StayStatus

KEY_PREFERENCES = 5
# What a front desk acts on first: the room, food and drink, stated likes, how to talk to the guest.
USEFUL_CATEGORIES = (
    "room",
    "food_drink",
    "likes",
    "communication",
    "housekeeping",
    "work",
    "leisure",
    "occasions",
    "history",
)
UPCOMING_DAYS = 60
# Sensitive catalog entries flagged in the header by kind only; the detail stays in the audited section.
HEALTH_FLAGS = {
    "allergies": _("Allergy"),
    "dietary-requirements": _("Dietary needs"),
    "physical-disability": _("Accessibility needs"),
}
OTHER_HEALTH_FLAG = _("Health note")


@dataclass
class UpcomingDate:
    special_date: object
    on: datetime.date
    in_days: int


@dataclass
class ProfileGlance:
    current_stay: object = None
    next_stay: object = None
    upcoming_dates: list = field(default_factory=list)
    key_preferences: list = field(default_factory=list)
    health_flags: list = field(default_factory=list)


def guest_health_flags(*, guest):
    """Labels of the kinds of sensitive note on file (allergy, accessibility...), never their content. One query."""
    codes = (
        GuestPreference.objects.for_org(guest.organization_id)
        .filter(guest=guest, preference_type__is_sensitive=True)
        .values_list("preference_type__code", flat=True)
        .distinct()
    )
    labels = []
    for code in sorted(codes, key=lambda code: list(HEALTH_FLAGS).index(code) if code in HEALTH_FLAGS else 99):
        label = HEALTH_FLAGS.get(code, OTHER_HEALTH_FLAG)
        if label not in labels:
            labels.append(label)
    return labels


def profile_glance(*, guest, stays, preferences, special_dates, today, health_flags=()):
    glance = ProfileGlance(health_flags=list(health_flags))
    for stay in stays:  # newest arrival first
        if stay.status == StayStatus.IN_HOUSE and glance.current_stay is None:
            glance.current_stay = stay
        elif stay.status == StayStatus.BOOKED and stay.arrival_on >= today:
            glance.next_stay = stay  # keeps the earliest future booking
    for special_date in special_dates:
        try:
            on = next_occurrence(special_date, today)
        except SpecialDateOutOfRange:
            continue
        if (on - today).days <= UPCOMING_DAYS:
            glance.upcoming_dates.append(UpcomingDate(special_date=special_date, on=on, in_days=(on - today).days))
    glance.upcoming_dates.sort(key=lambda upcoming: upcoming.on)
    valued = [preference for preference in preferences if preference.value]
    rank = {category: index for index, category in enumerate(USEFUL_CATEGORIES)}
    valued.sort(
        key=lambda preference: (
            rank.get(preference.preference_type.category, len(rank)),
            preference.preference_type.sort_order,
        )
    )
    glance.key_preferences = valued[:KEY_PREFERENCES]
    return glance
