"""Database backups with pg_dump / pg_restore.

A backup is a pg_dump custom-format archive plus a small JSON manifest beside it (when, which
database, SHA-256 of the archive, fingerprints of the encryption keys in use). The encryption
keys themselves (FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY, SECRET_KEY) live in the environment,
never in the database, so they are never inside a dump: a stolen backup is ciphertext for every
encrypted column. Keep the keys in a separate secret store; a restore needs the same keys.
"""

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.db import connection


class BackupError(Exception):
    pass


def _tool_major(path):
    result = subprocess.run([str(path), "--version"], capture_output=True, text=True)
    match = re.search(r"\(PostgreSQL\) (\d+)", result.stdout)
    return int(match.group(1)) if result.returncode == 0 and match else 0


def pg_tool(name):
    """The pg_dump / pg_restore to run: pg_dump refuses a server newer than itself, so take the
    first one at least as new as the server, from PATH or, for the embedded PostgreSQL 18,
    the tools that come with it."""
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    candidates = [shutil.which(name)]
    try:
        import pgserver

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    for candidate in candidates:
        if candidate and Path(candidate).exists() and _tool_major(candidate) >= server_major:
            return str(candidate)
    return name


def _libpq_env(database_url=None):
    """Connection settings as libpq environment variables (no password on any command line)."""
    env = dict(os.environ)
    if database_url:
        parsed = urlparse(database_url)
        values = {
            "PGHOST": unquote(parsed.hostname or ""),
            "PGPORT": str(parsed.port or ""),
            "PGUSER": unquote(parsed.username or ""),
            "PGPASSWORD": unquote(parsed.password or ""),
            "PGDATABASE": parsed.path.lstrip("/"),
        }
    else:
        db = connection.settings_dict
        values = {
            "PGHOST": db["HOST"] or "",
            "PGPORT": str(db["PORT"] or ""),
            "PGUSER": db["USER"] or "",
            "PGPASSWORD": db["PASSWORD"] or "",
            "PGDATABASE": db["NAME"],
        }
    env.update({key: value for key, value in values.items() if value})
    return env


def key_fingerprints():
    """Short SHA-256 fingerprints, so a restore can tell whether it has the keys the data was written with."""

    def fingerprint(value):
        return hashlib.sha256(value.encode()).hexdigest()[:16]

    return {
        "field_encryption_keys": [fingerprint(key) for key in settings.FIELD_ENCRYPTION_KEYS],
        "blind_index_key": fingerprint(settings.BLIND_INDEX_KEY),
    }


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(archive):
    return Path(str(archive) + ".json")


def backup_create(*, output, database_url=None):
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    env = _libpq_env(database_url)
    result = subprocess.run(
        [
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            # The row-level-security key is derived from SECRET_KEY: a restore writes it again.
            "--exclude-table-data=hotelcrm_rls_key",
            f"--file={output}",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        output.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    output.chmod(0o600)
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": env.get("PGDATABASE", ""),
        "format": "pg_dump custom",
        "sha256": _sha256(output),
        "size_bytes": output.stat().st_size,
        "key_fingerprints": key_fingerprints(),
    }
    manifest_path(output).write_text(json.dumps(manifest, indent=2))
    return manifest


def database_table_count(database_url=None):
    result = subprocess.run(
        [
            "psql",
            "-At",
            "-c",
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        ],
        env=_libpq_env(database_url),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"Cannot read the target database: {result.stderr.strip()}")
    return int(result.stdout.strip() or 0)


def backup_restore(*, archive, database_url=None, force=False):
    """Restore into the configured (or given) database. Refuses a database that has tables unless forced."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No backup file at {archive}.")
    warnings = []
    manifest_file = manifest_path(archive)
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text())
        if manifest.get("sha256") and manifest["sha256"] != _sha256(archive):
            raise BackupError(
                "The backup file does not match the SHA-256 in its manifest: it is damaged or was changed."
            )
        if manifest.get("key_fingerprints") and manifest["key_fingerprints"] != key_fingerprints():
            warnings.append(
                "The encryption keys configured now are not the ones in use when this backup was made: "
                "encrypted fields will not decrypt until the original keys are configured."
            )
    else:
        warnings.append("No manifest beside the backup: its integrity was not checked.")
    tables = database_table_count(database_url)
    if tables and not force:
        raise BackupError(
            f"The target database is not empty ({tables} tables). Restore into an empty database, "
            "or pass --force to replace its contents."
        )
    command = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if tables:
        command += ["--clean", "--if-exists"]
    env = _libpq_env(database_url)
    command += [f"--dbname={env['PGDATABASE']}", str(archive)]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore failed (nothing was changed: it runs in one transaction): {result.stderr.strip()}"
        )
    _grant_row_level_security(database_url)
    return warnings


def _grant_row_level_security(database_url):
    """The archive carries no grants (--no-privileges): give the application role its rights again,
    and every tenant table its policy, as `migrate` does."""
    import psycopg2

    from hotelcrm import rls

    with psycopg2.connect(database_url) as restored, restored.cursor() as cursor:
        rls.ensure_role(cursor)
        rls.ensure_policies(cursor)
    restored.close()
