import pytest
from django.db import connection

from tests.sql_joins import every_tenant_join_carries_the_organization


@pytest.fixture(autouse=True)
def tenant_joins_carry_the_organization(request):
    """Every raw SQL join this app's tests run between tenant tables also joins on organization_id."""
    if "django_db_setup" not in request.fixturenames:
        yield
        return
    with every_tenant_join_carries_the_organization(connection):
        yield
