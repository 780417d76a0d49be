"""Special dates on the Gregorian and the Chinese lunar calendar, placed in any year.

Each lunar value below is checked against the lunardate library (through guests.dates) and
against a published calendar fact named beside it.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from guests.dates import (
    SpecialDateOutOfRange,
    lunar_to_gregorian,
    next_occurrence,
    occurrence_in_year,
    occurrences_between,
    occurrences_in_year,
    validate_special_date,
)
from guests.models import SpecialDate

D = datetime.date


def lunar(month, day, *, leap=False):
    return SpecialDate(calendar="lunar", month=month, day=day, is_leap_month=leap, kind="birthday")


def gregorian(month, day):
    return SpecialDate(calendar="gregorian", month=month, day=day, kind="birthday")


@pytest.mark.parametrize(
    ("special", "year", "expected"),
    [
        (lunar(8, 15), 2024, D(2024, 9, 17)),  # Mid-Autumn Festival 2024: Tuesday 17 September
        (
            lunar(8, 15),
            2025,
            D(2025, 10, 6),
        ),  # Mid-Autumn Festival 2025: Monday 6 October, inside the National Day holiday week
        (lunar(1, 1), 2025, D(2025, 1, 29)),  # Spring Festival 2025, Year of the Snake: 29 January
        (lunar(1, 1), 2026, D(2026, 2, 17)),  # Spring Festival 2026, Year of the Horse: 17 February
        (lunar(5, 5), 2024, D(2024, 6, 10)),  # Dragon Boat Festival 2024: 10 June
        (lunar(1, 15), 2024, D(2024, 2, 24)),  # Lantern Festival 2024: 24 February
    ],
)
def test_lunar_festivals_fall_on_their_published_gregorian_days(special, year, expected):
    assert occurrence_in_year(special, year) == expected


def test_a_leap_month_date_is_kept_in_the_leap_month_when_the_year_has_it():
    # 2023 had a leap second month (闰二月) beginning on 22 March 2023.
    assert occurrence_in_year(lunar(2, 1, leap=True), 2023) == D(2023, 3, 22)
    # ...while the regular second month began on 20 February 2023.
    assert occurrence_in_year(lunar(2, 1), 2023) == D(2023, 2, 20)
    # 2025 has a leap sixth month (闰六月) beginning on 25 July 2025.
    assert occurrence_in_year(lunar(6, 1, leap=True), 2025) == D(2025, 7, 25)
    assert occurrence_in_year(lunar(6, 1), 2025) == D(2025, 6, 25)


def test_a_leap_month_date_falls_in_the_regular_month_in_a_year_without_that_leap_month():
    # 2024 has no leap month: lunar 6/1 of 2024 is 6 July 2024 (Dragon Boat, 5/5, was 10 June; month 5 has 30 days).
    assert occurrence_in_year(lunar(6, 1, leap=True), 2024) == D(2024, 7, 6)
    assert occurrence_in_year(lunar(6, 1, leap=True), 2024) == occurrence_in_year(lunar(6, 1), 2024)


def test_day_thirty_of_a_29_day_month_falls_on_the_29th():
    # The twelfth month of lunar 2024 has 29 days: New Year's Eve (除夕) 2025 was 28 January,
    # the first of several years without a "30th of the twelfth month" (年三十).
    assert lunar_to_gregorian(2024, 12, 30) == D(2025, 1, 28)
    assert occurrence_in_year(lunar(12, 30), 2025) == D(2025, 1, 28)


def test_a_late_lunar_date_of_the_previous_lunar_year_counts_for_the_gregorian_year_asked():
    # New Year's Eve 2025 (28 January) was lunar 2024/12/29, so 12/20 is nine days earlier; lunar
    # 2025's 12/20 falls nine days before the eve of 16 February 2026.
    assert occurrence_in_year(lunar(12, 20), 2025) == D(2025, 1, 19)
    assert occurrence_in_year(lunar(12, 20), 2026) == D(2026, 2, 7)


def test_occurrences_in_a_year_are_sorted_and_each_lies_in_that_year():
    for year in range(1950, 2060):
        for month, day in ((11, 20), (12, 1), (12, 29)):
            days = occurrences_in_year(lunar(month, day), year)
            assert days == sorted(days) and all(found.year == year for found in days)
    # Some year holds a lunar 12/1 twice (early January and late December).
    assert any(len(occurrences_in_year(lunar(12, 1), year)) == 2 for year in range(1950, 2060))


def test_29_february_falls_on_28_february_in_common_years():
    assert occurrence_in_year(gregorian(2, 29), 2024) == D(2024, 2, 29)
    assert occurrence_in_year(gregorian(2, 29), 2025) == D(2025, 2, 28)
    assert occurrence_in_year(gregorian(2, 29), 1900) == D(1900, 2, 28)  # 1900 was not a leap year
    assert occurrence_in_year(gregorian(7, 4), 2031) == D(2031, 7, 4)


def test_next_occurrence_is_the_day_itself_or_the_following_one():
    assert next_occurrence(lunar(8, 15), D(2024, 9, 17)) == D(2024, 9, 17)
    assert next_occurrence(lunar(8, 15), D(2024, 9, 18)) == D(2025, 10, 6)
    assert next_occurrence(gregorian(12, 31), D(2025, 12, 31)) == D(2025, 12, 31)
    assert next_occurrence(gregorian(1, 1), D(2025, 12, 31)) == D(2026, 1, 1)
    assert next_occurrence(gregorian(2, 29), D(2025, 3, 1)) == D(2026, 2, 28)


def test_occurrences_between_takes_both_ends():
    assert occurrences_between(lunar(8, 15), D(2025, 10, 6), D(2025, 10, 6)) == [D(2025, 10, 6)]
    assert occurrences_between(lunar(8, 15), D(2025, 10, 7), D(2026, 9, 24)) == []
    assert occurrences_between(gregorian(1, 1), D(2025, 12, 30), D(2026, 1, 2)) == [D(2026, 1, 1)]


def test_lunar_dates_outside_the_calendar_tables_have_no_answer():
    assert occurrence_in_year(lunar(8, 15), 2100) is None
    assert occurrence_in_year(lunar(8, 15), 1899) is None
    assert occurrence_in_year(lunar(1, 1), 1900) == D(1900, 1, 31)
    with pytest.raises(SpecialDateOutOfRange) as raised:
        next_occurrence(lunar(8, 15), D(2099, 12, 1))
    assert "1900" in str(raised.value) and "2099" in str(raised.value)


@pytest.mark.parametrize(
    ("calendar", "month", "day", "leap", "field"),
    [
        ("lunar", 13, 1, False, "month"),
        ("lunar", 0, 1, False, "month"),
        ("lunar", 1, 31, False, "day"),
        ("lunar", 12, 1, True, "is_leap_month"),  # no lunar year 1900-2099 has a leap twelfth month
        ("gregorian", 2, 30, False, "day"),
        ("gregorian", 4, 31, False, "day"),
        ("gregorian", 5, 1, True, "is_leap_month"),
        ("gregorian", 13, 1, False, "month"),
        ("julian", 1, 1, False, "calendar"),
    ],
)
def test_impossible_special_dates_are_refused_with_a_message_on_the_field(calendar, month, day, leap, field):
    with pytest.raises(ValidationError) as raised:
        validate_special_date(calendar, month, day, leap)
    assert field in raised.value.message_dict
    assert all(raised.value.message_dict[field])


@pytest.mark.parametrize(
    ("calendar", "month", "day", "leap"),
    [("gregorian", 2, 29, False), ("lunar", 12, 30, False), ("lunar", 6, 30, True), ("lunar", 2, 1, True)],
)
def test_possible_special_dates_pass(calendar, month, day, leap):
    validate_special_date(calendar, month, day, leap)
