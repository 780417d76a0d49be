"""manage.py backup / restore: a round trip through a throw-away database, keys never in the dump."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from hotelcrm.backup import pg_tool
from tests.conftest import _database_url_for_subprocess

ROOT = Path(__file__).resolve().parents[2]


def _psql(database_url, sql):
    result = subprocess.run(["psql", database_url, "-At", "-c", sql], capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture
def throwaway_database():
    base = _database_url_for_subprocess()
    name = f"hotelcrm_restore_{uuid.uuid4().hex[:8]}"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    _psql(admin_url, f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + f"/{name}"
    _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_row_and_no_key(tenants, tmp_path, throwaway_database):
    source = _database_url_for_subprocess()
    archive = tmp_path / "hotelcrm.dump"
    call_command("backup", "--output", str(archive))
    assert archive.exists() and (tmp_path / "hotelcrm.dump.json").exists()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    # No key in the archive: the whole dump as SQL text holds none of them.
    sql = subprocess.run(
        [pg_tool("pg_restore"), "--file=-", str(archive)], capture_output=True, text=True, check=True
    ).stdout
    for secret in (*settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY, settings.SECRET_KEY):
        assert secret not in sql
    from hotelcrm import rls

    assert bytes(b ^ 0x36 for b in rls._key().ljust(64, b"\0")).hex() not in sql  # nor the tenant-setting key
    assert tenants.a.guests[0].family_name in sql  # the data is there

    call_command("restore", str(archive), "--database-url", throwaway_database)
    for table in ("guests_guestprofile", "guests_guestcontact", "core_auditevent", "core_membership", "auth_user"):
        assert _psql(throwaway_database, f"SELECT count(*) FROM {table}") == _psql(
            source, f"SELECT count(*) FROM {table}"
        )
    # Encrypted values arrive as the same ciphertext, and the audit chain is intact after the trip.
    query = "SELECT string_agg(value, ',' ORDER BY id) FROM guests_guestcontact"
    assert _psql(throwaway_database, query) == _psql(source, query)
    env = dict(os.environ, DATABASE_URL=throwaway_database)
    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_audit", "--skip-checks"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stdout + verify.stderr
    # Row-level security comes back with its grants: the application role reads one tenant only.
    # The tenant setting is signed for the connection, with the key the restore wrote again.
    a_id = tenants.a.organization.pk
    import psycopg2

    from hotelcrm import rls

    restored = psycopg2.connect(throwaway_database)
    try:
        with restored.cursor() as cursor:
            cursor.execute(f"SET ROLE {settings.DATABASE_APP_ROLE}")
            cursor.execute(
                "SELECT set_config('hotelcrm.tenant', %s, false)", [rls.signed_value(a_id, restored.get_backend_pid())]
            )
            cursor.execute("SELECT string_agg(DISTINCT organization_id::text, ',') FROM guests_guestprofile")
            assert cursor.fetchone()[0] == str(a_id)
    finally:
        restored.close()

    # A second restore into the now non-empty database is refused; --force replaces it.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), "--database-url", throwaway_database)
    _psql(throwaway_database, "CREATE TABLE extra_table (id int)")
    call_command("restore", str(archive), "--database-url", throwaway_database, "--force")
    assert _psql(throwaway_database, "SELECT count(*) FROM guests_guestprofile") == _psql(
        source, "SELECT count(*) FROM guests_guestprofile"
    )


def test_a_damaged_archive_is_refused(db, tmp_path, throwaway_database):
    archive = tmp_path / "hotelcrm.dump"
    call_command("backup", "--output", str(archive))
    with archive.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"XXXX")
    with pytest.raises(CommandError, match="does not match the SHA-256"):
        call_command("restore", str(archive), "--database-url", throwaway_database)
    assert _psql(throwaway_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0"


def test_a_missing_archive_gets_a_clear_message(db):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", "/nonexistent/backup.dump")
