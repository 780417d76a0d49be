"""The tenant setting cannot be forged by SQL that reaches the connection (issue 20, finding 5).

Each test plays an SQL injection inside a request or task: it runs, as the application role,
exactly the statements an attacker would (`set_config('hotelcrm.tenant', ...)` to another
organization or to 'system', reading the key, switching roles) and counts what comes back.
"""

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from psycopg2 import errors as pg_errors

from guests.models import GuestProfile
from hotelcrm import rls

GUESTS = "SELECT count(*), count(DISTINCT organization_id) FROM guests_guestprofile"


def _forge(value):
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('hotelcrm.tenant', %s, false)", [value])
        cursor.execute(GUESTS)
        return cursor.fetchone()


@pytest.mark.parametrize("forged", ["other", "system", "", "other.00000000000000000000000000000000." + "0" * 64])
def test_the_app_role_setting_another_tenant_or_system_sees_no_rows(tenants, forged):
    a, b = tenants.a.organization, tenants.b.organization
    value = {"other": str(b.pk)}.get(forged, forged).replace("other", str(b.pk))
    with rls.tenant_context(a):
        assert _forge(rls.signed_value(a.pk, connection.connection.get_backend_pid()))[0] == len(tenants.a.guests)
        assert _forge(value) == (0, 0)
        assert GuestProfile._base_manager.count() == 0


def test_a_signature_for_one_tenant_cannot_be_relabelled_to_another(tenants):
    a, b = tenants.a.organization, tenants.b.organization
    with rls.tenant_context(a):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('hotelcrm.tenant')")
            _tenant, nonce, mac = cursor.fetchone()[0].split(".")
        assert _forge(f"{b.pk}.{nonce}.{mac}") == (0, 0)
        assert _forge(f"system.{nonce}.{mac}") == (0, 0)
        assert _forge(f"{a.pk}.{nonce}.{mac}")[0] == len(tenants.a.guests)


@pytest.mark.django_db(transaction=True)
def test_a_signature_is_worthless_on_another_connection():
    """The MAC covers the backend pid: a value read on one connection opens nothing on another."""
    from tests.conftest import build_tenant

    a = build_tenant("Alpha").organization
    build_tenant("Bravo")
    other = psycopg2.connect(**{k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"})
    try:
        value = rls.signed_value(a.pk, connection.connection.get_backend_pid())
        with other.cursor() as cursor:
            cursor.execute(f'SET ROLE "{settings.DATABASE_APP_ROLE}"')
            cursor.execute("SELECT set_config('hotelcrm.tenant', %s, false)", [value])
            cursor.execute("SELECT count(*) FROM core_organization")
            assert cursor.fetchone()[0] == 0
            cursor.execute(
                "SELECT set_config('hotelcrm.tenant', %s, false)", [rls.signed_value(a.pk, other.get_backend_pid())]
            )
            cursor.execute("SELECT count(*) FROM core_organization")
            assert cursor.fetchone()[0] == 1
    finally:
        other.close()


def test_the_app_roles_cannot_read_the_key_or_call_around_it(tenants):
    with rls.tenant_context(tenants.a.organization):
        for statement in ("SELECT * FROM hotelcrm_rls_key", "UPDATE hotelcrm_rls_key SET inner_pad = ''::bytea"):
            with pytest.raises(Exception, match="permission denied"), connection.cursor() as cursor:
                cursor.execute("SAVEPOINT probe")
                try:
                    cursor.execute(statement)
                finally:
                    cursor.execute("ROLLBACK TO SAVEPOINT probe")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, p.prosecdef, pg_get_userbyid(p.proowner) FROM pg_proc p"
            " WHERE p.proname IN ('hotelcrm_tenant', 'hotelcrm_tenant_is_system')"
        )
        functions = cursor.fetchall()
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'guests_guestprofile'")
        owner = cursor.fetchone()[0]
    assert sorted(functions) == [("hotelcrm_tenant", True, owner), ("hotelcrm_tenant_is_system", True, owner)]


def test_system_is_a_role_not_a_value(tenants):
    """The app role with a correctly signed 'system' still sees one tenant at most: nothing."""
    a = tenants.a.organization
    with rls.tenant_context(a):
        assert _forge(rls.signed_value(rls.SYSTEM, connection.connection.get_backend_pid())) == (0, 0)
    with rls.tenant_context(rls.SYSTEM):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == settings.DATABASE_SYSTEM_ROLE
            cursor.execute(GUESTS)
            assert cursor.fetchone()[1] >= 2
        assert _forge("system") == (0, 0)  # the system role needs the signature too
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, pg_has_role(%s, oid, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [settings.DATABASE_APP_ROLE, settings.DATABASE_SYSTEM_ROLE],
        )
        assert cursor.fetchone() == (False, False, False)  # the app role cannot become it


@pytest.fixture
def login_role(db):
    """A log-in role as docker-compose makes it: it may only SET ROLE to the application roles."""
    name = f"{settings.DATABASE_APP_ROLE}_login"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{name}"')
        cursor.execute(f'CREATE ROLE "{name}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE')
        cursor.execute(f'GRANT "{settings.DATABASE_APP_ROLE}", "{settings.DATABASE_SYSTEM_ROLE}" TO "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True)
def test_a_login_role_can_reach_no_tenant_and_no_superuser_by_injection(login_role):
    from tests.conftest import build_tenant

    a, b = build_tenant("Alpha").organization, build_tenant("Bravo").organization
    params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    params.update(user=login_role, password=None)
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            for statement in (
                None,
                f'SET ROLE "{settings.DATABASE_APP_ROLE}"',
                f'SET ROLE "{settings.DATABASE_SYSTEM_ROLE}"',
                "RESET ROLE",
            ):
                if statement:
                    cursor.execute(statement)
                for forged in (str(b.pk), "system", ""):
                    cursor.execute("SELECT set_config('hotelcrm.tenant', %s, false)", [forged])
                    cursor.execute(GUESTS)
                    assert cursor.fetchone() == (0, 0), (statement, forged)
            for statement in (
                "SET ROLE postgres",
                "SELECT * FROM hotelcrm_rls_key",
                "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
                "ALTER TABLE guests_guestprofile DISABLE ROW LEVEL SECURITY",
            ):
                with pytest.raises((pg_errors.InsufficientPrivilege, pg_errors.UndefinedObject)):
                    cursor.execute(statement)
            # The application, which holds the key, still gets its tenant on this log-in.
            cursor.execute(f'SET ROLE "{settings.DATABASE_APP_ROLE}"')
            cursor.execute(
                "SELECT set_config('hotelcrm.tenant', %s, false)", [rls.signed_value(a.pk, conn.get_backend_pid())]
            )
            cursor.execute(GUESTS)
            assert cursor.fetchone() == (2, 1)
    finally:
        conn.close()
