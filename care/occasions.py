"""Which yearly dates fall on a given day: birthdays (Gregorian or lunar) and holidays.

Lunar dates are placed with guests/dates.py (the `lunardate` tables, 1900-2099), so a lunar
birthday and the lunar festivals land on this year's Gregorian day, whatever the year.
"""

import calendar as gregorian_calendar
import datetime

from lunardate import LunarDate

from guests.dates import LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR, gregorian_in_year, lunar_to_gregorian

# The lunar festivals every Chinese hotel greets for, with their lunar month and day.
LUNAR_FESTIVALS = [
    ("Spring Festival", "春节", 1, 1, ["zh"]),
    ("Lantern Festival", "元宵节", 1, 15, ["zh"]),
    ("Dragon Boat Festival", "端午节", 5, 5, ["zh"]),
    ("Qixi Festival", "七夕节", 7, 7, ["zh"]),
    ("Mid-Autumn Festival", "中秋节", 8, 15, ["zh"]),
    ("Double Ninth Festival", "重阳节", 9, 9, ["zh"]),
]
GREGORIAN_HOLIDAYS = [
    ("New Year's Day", "元旦", 1, 1, []),
    ("Valentine's Day", "情人节", 2, 14, []),
    ("National Day", "国庆节", 10, 1, ["zh"]),
    ("Christmas", "圣诞节", 12, 25, ["en"]),
]


def gregorian_month_days_on(day):
    """(month, day) pairs celebrated on `day`: 29 February falls on the 28th in common years."""
    pairs = [(day.month, day.day)]
    if day.month == 2 and day.day == 28 and not gregorian_calendar.isleap(day.year):
        pairs.append((2, 29))
    return pairs


def lunar_month_days_on(day):
    """(month, day, is_leap_month) lunar dates celebrated on Gregorian `day` (rules of guests/dates.py)."""
    if not LUNAR_FIRST_YEAR <= day.year <= LUNAR_LAST_YEAR + 1:
        return []
    try:
        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    except ValueError:
        return []
    found = []
    for month_day in {lunar.day, 30}:
        for is_leap in (False, True):
            if lunar_to_gregorian(lunar.year, lunar.month, month_day, is_leap) == day:
                found.append((lunar.month, month_day, is_leap))
    return sorted(set(found))


def holiday_date_in(holiday, year):
    from care.models import HolidayCalendar

    if holiday.calendar == HolidayCalendar.DATED:
        return holiday.on_date if holiday.on_date and holiday.on_date.year == year else None
    if holiday.month is None or holiday.day is None:
        return None
    if holiday.calendar == HolidayCalendar.LUNAR:
        # Festivals are early in the lunar year, so lunar year == Gregorian year, except a late
        # lunar month (12th) which can spill into the next Gregorian year: try both.
        for lunar_year in (year, year - 1):
            try:
                found = lunar_to_gregorian(lunar_year, holiday.month, holiday.day)
            except ValueError:
                return None
            if found is not None and found.year == year:
                return found
        return None
    return gregorian_in_year(holiday.month, holiday.day, year)


def holidays_on(holidays, day):
    return [holiday for holiday in holidays if holiday.is_active and holiday_date_in(holiday, day.year) == day]


def public_holidays(country, year):
    """Public holidays of `country` in `year` from the `holidays` package: [(date, name)]."""
    import holidays as holidays_library

    try:
        calendar = holidays_library.country_holidays(country.upper(), years=year)
    except (NotImplementedError, KeyError):
        return None
    return sorted(calendar.items())


def days_between(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)
