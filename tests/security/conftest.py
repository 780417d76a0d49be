"""Fixtures of the attack suite.

`world`: organizations A and B built once per test module (building them takes seconds, and
the suite makes thousands of requests against them), inside a transaction that is rolled back
when the module ends; each test still runs in its own savepoint (the `db` fixture), so what one
test changes, the next does not see. B is built after the id sequences jumped, so every B row
has an id that no A row of any table has (tests.core.test_isolation._bump_sequences).
The API tests' key fixtures are reused as they are.
"""

import pytest
from django.db import transaction

from hotelcrm.models import Role
from tests.api.conftest import api, clear_throttle_counts, make_key  # noqa: F401
from tests.conftest import Tenants, build_tenant
from tests.isolation import _bump_sequences


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            a = build_tenant("Alpha")
            _bump_sequences()
            b = build_tenant("Bravo")
            yield Tenants(a=a, b=b)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def tenants(world, db):
    """`world`, usable by a test (inside its own savepoint); the API key fixtures use it too."""
    return world


ROLES = list(Role)
