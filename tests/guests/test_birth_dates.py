"""The birth date is not in clear anywhere in the guest's row (issue 20, finding 4)."""

import datetime
import importlib

from django.apps import apps
from django.db import connection

from guests import services
from guests.birth_dates import birth_date_columns, birthday_index
from guests.models import GuestProfile
from hotelcrm.models import Role


def _raw_row(guest):
    with connection.cursor() as cursor:
        # Less the ciphertext and the two keyed indexes, whose random-looking text could hold any digits.
        cursor.execute(
            "SELECT (to_jsonb(g) - 'birth_date' - 'birthday_index' - 'birth_date_index')::text,"
            " birthday_index FROM guests_guestprofile g WHERE id = %s",
            [guest.pk],
        )
        return cursor.fetchone()


def test_a_stored_birth_date_leaves_no_clear_year_month_or_day(tenants):
    guest = tenants.a.guests[1]
    services.guest_birth_date_set(
        guest=guest, birth_date=datetime.date(1987, 11, 23), actor=tenants.a.users[Role.FRONT_DESK]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'guests_guestprofile'"
            " AND column_name LIKE 'birth%%'"
        )
        columns = {name for (name,) in cursor.fetchall()}
    assert columns == {"birth_date", "birthday_index", "birth_date_index", "birth_decade"}
    row, index = _raw_row(guest)
    assert "1987" not in row and "11-23" not in row and '"birth_decade": 1980' in row
    assert index == birthday_index(guest.organization_id, 11, 23)  # the month-day only as its keyed index
    guest.refresh_from_db()
    assert (guest.birth_date, guest.birth_month_day, guest.birth_decade) == ("1987-11-23", (11, 23), 1980)


def test_the_month_day_index_is_keyed_per_organization(tenants):
    a, b = tenants.a.organization.pk, tenants.b.organization.pk
    assert birthday_index(a, 5, 17) != birthday_index(b, 5, 17)
    assert birthday_index(a, 5, 17) != birthday_index(a, 5, 18)
    assert len({birthday_index(a, 5, 17), birthday_index(a, 5, 17)}) == 1


def test_the_migration_backfills_the_indexes_from_the_encrypted_date(tenants):
    guest = tenants.a.guests[1]
    services.guest_birth_date_set(
        guest=guest, birth_date=datetime.date(1962, 2, 28), actor=tenants.a.users[Role.FRONT_DESK]
    )
    GuestProfile._base_manager.filter(pk=guest.pk).update(birthday_index="", birth_date_index="", birth_decade=None)
    migration = importlib.import_module("guests.migrations.0009_dbwall_birth_date_indexes")
    migration.forwards(apps, None)
    guest.refresh_from_db()
    expected = birth_date_columns(guest.organization_id, datetime.date(1962, 2, 28))
    assert {name: getattr(guest, name) for name in expected} == expected
