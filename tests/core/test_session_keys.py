"""What the application role reads of sessions and users (issue 20, finding 5).

The application role must read `django_session` on every request; what it reads there must not
let anyone sign in: the table holds digests of the keys, never a live key.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from hotelcrm import rls
from hotelcrm.sessions import session_key_digest


def _read_as_app_role(sql):
    with rls.tenant_context(None), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def test_the_session_table_holds_no_key_a_cookie_would_accept(tenants):
    client = Client()
    client.force_login(tenants.a.users["manager"])
    assert client.get("/guests/").status_code == 200
    live_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    stored = _read_as_app_role("SELECT session_key FROM django_session")
    assert live_key not in stored
    assert session_key_digest(live_key) in stored
    for key in stored:  # what an injection would take away: none of it signs in
        thief = Client()
        thief.cookies[settings.SESSION_COOKIE_NAME] = key
        response = thief.get("/guests/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_session_lives_through_rotation_and_ends_at_logout(tenants):
    client = Client()
    user = tenants.a.users["front_desk"]
    user.set_password("a long enough password 1")
    user.save()
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": "a long enough password 1"}).status_code
        == 302
    )
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/guests/").status_code == 200
    assert session_key_digest(key) in _read_as_app_role("SELECT session_key FROM django_session")
    client.post("/accounts/logout/")
    assert session_key_digest(key) not in _read_as_app_role("SELECT session_key FROM django_session")


def test_the_app_role_cannot_write_the_migration_ledger(tenants):
    with rls.tenant_context(tenants.a.organization), connection.cursor() as cursor:
        cursor.execute("SAVEPOINT probe")
        with pytest.raises(Exception, match="permission denied"):
            cursor.execute("DELETE FROM django_migrations")
        cursor.execute("ROLLBACK TO SAVEPOINT probe")
