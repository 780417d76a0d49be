"""The arrivals briefing page: the active hotel's arrivals on a day, ready to print."""

import datetime
import re

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from guests.access import openable_profile_ids
from guests.dates import LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR
from guests.selectors_briefing import birthday_perks, briefing_get
from hotelcrm.permissions import hotel_required

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Lunar dates can be placed only in these years, and prev/next links stay inside them.
FIRST_DAY = datetime.date(LUNAR_FIRST_YEAR + 1, 1, 1)
LAST_DAY = datetime.date(LUNAR_LAST_YEAR, 12, 31)


def parse_briefing_day(raw, *, today):
    """(day, error message or ""): the asked day, or today with a message saying what was wrong."""
    if raw is None or raw.strip() == "":
        return today, ""
    text = raw.strip()[:20]
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return today, _("“%(value)s” is not a date: use the form YYYY-MM-DD, such as %(example)s. Showing today.") % {
            "value": text,
            "example": today.isoformat(),
        }
    if not FIRST_DAY <= day <= LAST_DAY:
        return today, _("Choose a date from %(first)s to %(last)s. Showing today.") % {
            "first": FIRST_DAY.isoformat(),
            "last": LAST_DAY.isoformat(),
        }
    return day, ""


@hotel_required
def arrivals_briefing(request):
    hotel = request.hotel
    # "Today" is the hotel's own date, not the server's: Urumqi and London differ by hours.
    today = timezone.localdate(timezone=hotel.tz)
    day, date_error = parse_briefing_day(request.GET.get("date"), today=today)
    may_open = lambda guests: openable_profile_ids(request=request, guests=guests)  # noqa: E731
    rows = briefing_get(hotel=hotel, day=day, may_open=may_open)
    one_day = datetime.timedelta(days=1)
    context = {
        "hotel": hotel,
        "day": day,
        "today": today,
        "date_error": date_error,
        "rows": rows,
        "birthday_perks": birthday_perks(hotel=hotel, day=day, may_open=may_open),
        "previous_day": day - one_day if day > FIRST_DAY else None,
        "next_day": day + one_day if day < LAST_DAY else None,
    }
    return render(request, "guests/briefing.html", context)
