"""What a guest's birth date leaves in clear: nothing a reader of the table can turn back into it.

The full date is `GuestProfile.birth_date` (Fernet ciphertext). Beside it:
- `birthday_index`: a keyed hash (BLIND_INDEX_KEY, HMAC-SHA256) of the organization and the
  month-day. The nightly birthday job asks "whose birthday is today?" by computing the index of
  today's month-day(s) and finding equal values through an index; without the key the column
  names no day. The organization is in the message, so two organizations' values never match.
- `birth_date_index`: the same over the full date, for the duplicate finder's "same birth date".
- `birth_decade`: the first year of the decade of birth (1980 for 1980-1989). The reports'
  age bands need an age at arrival, which needs the year; the decade is the coarsest figure
  that still gives a ten-year band, and the reports count it from the decade's middle year
  (reports/rollups.py AGE_BAND_SQL), so a band may be off by one for guests near its edge.
"""

import datetime

from hotelcrm.crypto import blind_index

COLUMNS = ("birthday_index", "birth_date_index", "birth_decade")


def birthday_index(organization_id, month, day):
    return blind_index("birthday", f"{int(organization_id)}:{int(month):02d}-{int(day):02d}")


def birth_date_index(organization_id, date):
    return blind_index("birth-date", f"{int(organization_id)}:{date.isoformat()}")


def birth_date_columns(organization_id, date):
    """The clear columns for `date` (a datetime.date, or None to clear them)."""
    if date is None:
        return {"birthday_index": "", "birth_date_index": "", "birth_decade": None}
    return {
        "birthday_index": birthday_index(organization_id, date.month, date.day),
        "birth_date_index": birth_date_index(organization_id, date),
        "birth_decade": date.year // 10 * 10,
    }


def parse(text):
    """The stored ISO birth date as a date, or None (empty or unreadable)."""
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None
