"""Where a guest's special date falls in a given year, on the Gregorian or the Chinese lunar calendar.

Many guests keep a lunar birthday (农历生日): lunar 8/15 is 2024-09-17 but 2025-10-06, so the
Gregorian day has to be worked out for every year. The conversion uses the `lunardate`
library, whose tables cover the lunar years 1900 to 2099; outside them a lunar date has no
answer (`occurrence_in_year` returns None, `next_occurrence` raises `SpecialDateOutOfRange`).
"""

import calendar as gregorian_calendar
import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lunardate import LunarDate

from guests.models import CalendarKind

LUNAR_FIRST_YEAR = 1900
LUNAR_LAST_YEAR = 2099
# Months that are a leap month (闰月) in at least one lunar year the tables cover.
LUNAR_LEAP_MONTHS = frozenset(
    month
    for month in (LunarDate.leap_month_for_year(year) for year in range(LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR + 1))
    if month
)


class SpecialDateOutOfRange(ValueError):
    """The date cannot be placed: a lunar date outside the years 1900-2099 the tables cover."""


def _is_lunar(special_date):
    return special_date.calendar == CalendarKind.LUNAR


def gregorian_in_year(month, day, year):
    if month == 2 and day == 29 and not gregorian_calendar.isleap(year):
        # Leap-day guests are greeted on 28 February in common years: the occasion stays in its
        # own month (a February birthday list or greeting never slips into March), and the
        # guest is not greeted a day "late" after their birthday has passed.
        day = 28
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None  # a month/day that never exists (4/31); forms refuse it, old rows answer nothing


def lunar_to_gregorian(lunar_year, month, day, is_leap_month=False):
    """The Gregorian day of lunar `month`/`day` of `lunar_year`, or None outside 1900-2099.

    A leap-month date (闰月) is kept in the leap month when that year has it, and otherwise
    falls in the regular month of the same number. Lunar months have 29 or 30 days: day 30
    of a 29-day month falls on day 29, the month's last day.
    """
    if not LUNAR_FIRST_YEAR <= lunar_year <= LUNAR_LAST_YEAR:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    is_leap = bool(is_leap_month) and LunarDate.leap_month_for_year(lunar_year) == month
    try:
        return LunarDate(lunar_year, month, day, is_leap).to_solar_date()
    except ValueError:
        if day != 30:
            raise
        return LunarDate(lunar_year, month, 29, is_leap).to_solar_date()


def occurrences_in_year(special_date, year):
    """Every day in Gregorian `year` the date is celebrated on, earliest first (0, 1 or, rarely, 2).

    A lunar date of lunar year y falls in Gregorian year y or y+1 (lunar 12/20 is usually in
    January of the next year), so both lunar years `year - 1` and `year` are checked; now and
    then both land in the same Gregorian year.
    """
    if not _is_lunar(special_date):
        found = gregorian_in_year(special_date.month, special_date.day, year)
        return [found] if found else []
    days = []
    for lunar_year in (year - 1, year):
        found = lunar_to_gregorian(lunar_year, special_date.month, special_date.day, special_date.is_leap_month)
        if found is not None and found.year == year:
            days.append(found)
    return sorted(days)


def occurrence_in_year(special_date, year):
    """The day in Gregorian `year` the date is celebrated on, or None (none that year, or out of range)."""
    days = occurrences_in_year(special_date, year)
    return days[0] if days else None


def next_occurrence(special_date, on_or_after):
    """The first day on or after `on_or_after` the date is celebrated on.

    Raises `SpecialDateOutOfRange` when there is none the calendar tables can tell.
    """
    # Two years ahead is always enough: every Gregorian year holds each Gregorian date (29 Feb
    # on the 28th) and each lunar month/day (falling back to the regular month and day 29).
    for year in range(on_or_after.year, min(on_or_after.year + 2, datetime.MAXYEAR) + 1):
        for day in occurrences_in_year(special_date, year):
            if day >= on_or_after:
                return day
    raise SpecialDateOutOfRange(
        _(
            "No Gregorian date can be found for this date after %(day)s: the lunar calendar is known for %(first)s to %(last)s."
        )
        % {"day": on_or_after.isoformat(), "first": LUNAR_FIRST_YEAR, "last": LUNAR_LAST_YEAR}
    )


def occurrences_between(special_date, first_day, last_day):
    """Days from `first_day` to `last_day` (both included) the date is celebrated on; [] when unknown."""
    days = []
    for year in range(first_day.year, last_day.year + 1):
        days.extend(day for day in occurrences_in_year(special_date, year) if first_day <= day <= last_day)
    return days


def validate_special_date(calendar, month, day, is_leap_month=False):
    """Check a special date as a form gets it; ValidationError keyed by field, in words staff can act on."""
    errors = {}
    if calendar not in CalendarKind.values:
        raise ValidationError({"calendar": _("Choose the Gregorian or the Chinese lunar calendar.")})
    if month is None or not 1 <= month <= 12:
        errors["month"] = _("The month is a number from 1 to 12.")
    if calendar == CalendarKind.LUNAR:
        if day is None or not 1 <= day <= 30:
            errors["day"] = _("A lunar month has at most 30 days: the day is a number from 1 to 30.")
        if is_leap_month and "month" not in errors and month not in LUNAR_LEAP_MONTHS:
            errors["is_leap_month"] = _(
                "No lunar year from %(first)s to %(last)s has a leap month %(month)s (闰%(month)s月); untick “leap month”."
            ) % {"first": LUNAR_FIRST_YEAR, "last": LUNAR_LAST_YEAR, "month": month}
    else:
        if is_leap_month:
            errors["is_leap_month"] = _("Only a lunar date can be in a leap month (闰月).")
        if "month" not in errors:
            # 2000 is a leap year, so 29 February is accepted.
            last = gregorian_calendar.monthrange(2000, month)[1]
            if day is None or not 1 <= day <= last:
                errors["day"] = _("This month has days 1 to %(last)s.") % {"last": last}
        elif day is None or not 1 <= day <= 31:
            errors["day"] = _("The day is a number from 1 to 31.")
    if errors:
        raise ValidationError(errors)
