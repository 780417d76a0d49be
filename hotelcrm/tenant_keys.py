"""Composite foreign keys between tenant tables: the database refuses a cross-tenant reference.

Beside every foreign key from a tenant table (one with `organization_id`) to another tenant
table's `id`, a twin `(organization_id, <column>) REFERENCES <target> (organization_id, id)`,
and on every such target a unique `(organization_id, id)`. A row of organization A can then
point only at rows of A (a NULL reference is not checked, as for the plain key). The list is
read from the catalog, so every foreign key Django creates gets its twin without being named
here; the post_migrate receiver runs it after every `migrate`, and tests/core/test_tenant_keys.py
checks that every tenant-to-tenant foreign key of the models has one. It is also the shape
Citus needs to co-locate the tables by organization (docs/scaling.md).

Django keeps its own single-column keys; the twins are DEFERRABLE INITIALLY DEFERRED like them,
added NOT VALID and then validated, so a large table is checked without blocking writes.
"""

import hashlib

MIGRATION = "0010_dbwall_composite_foreign_keys"
TWIN_SUFFIX = "_tfk"
UNIQUE_SUFFIX = "_org_id_uniq"

_FOREIGN_KEYS_SQL = """
SELECT cl.relname, a.attname, rf.relname
FROM pg_constraint c
JOIN pg_class cl ON cl.oid = c.conrelid
JOIN pg_class rf ON rf.oid = c.confrelid
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND af.attname = 'id' AND a.attname <> 'organization_id'
  AND cl.relnamespace = current_schema()::regnamespace
  AND EXISTS (SELECT FROM pg_attribute x WHERE x.attrelid = c.conrelid AND x.attname = 'organization_id' AND NOT x.attisdropped)
  AND EXISTS (SELECT FROM pg_attribute y WHERE y.attrelid = c.confrelid AND y.attname = 'organization_id' AND NOT y.attisdropped)
ORDER BY 1, 2
"""


def _name(*parts, suffix):
    digest = hashlib.md5(".".join(parts).encode()).hexdigest()[:8]
    return f"{parts[0][:30]}_{parts[-1][:18]}_{digest}{suffix}"[:63]


def tenant_foreign_keys(cursor):
    """(table, column, target table) for every single-column key between tenant tables."""
    cursor.execute(_FOREIGN_KEYS_SQL)
    return cursor.fetchall()


def twin_name(table, column):
    return _name(table, column, suffix=TWIN_SUFFIX)


def ensure_composite_foreign_keys(cursor):
    """Idempotent: the unique (organization_id, id) of each target and each key's twin."""
    cursor.execute("SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace")
    existing = {name for (name,) in cursor.fetchall()}
    keys = tenant_foreign_keys(cursor)
    for target in sorted({target for _table, _column, target in keys}):
        unique = _name(target, "organization_id", suffix=UNIQUE_SUFFIX)
        if unique not in existing:
            cursor.execute(f'ALTER TABLE "{target}" ADD CONSTRAINT "{unique}" UNIQUE (organization_id, id)')
            existing.add(unique)
    for table, column, target in keys:
        name = twin_name(table, column)
        if name in existing:
            continue
        cursor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY (organization_id, "{column}")'
            f' REFERENCES "{target}" (organization_id, id) DEFERRABLE INITIALLY DEFERRED NOT VALID'
        )
        cursor.execute(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"')


def drop_composite_foreign_keys(cursor):
    for suffix in (TWIN_SUFFIX, UNIQUE_SUFFIX):  # the twins first: they depend on the uniques
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint"
            " WHERE connamespace = current_schema()::regnamespace AND conname LIKE %s",
            [f"%{suffix}"],
        )
        for table, name in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')


def after_migrate(sender, using="default", **kwargs):
    """`post_migrate` receiver: keys added by later migrations get their twin too."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql" or sender.label != "core":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT FROM django_migrations WHERE app = 'core' AND name = %s)", [MIGRATION])
        if cursor.fetchone()[0]:  # migrated back below the migration that adds them: leave the schema alone
            ensure_composite_foreign_keys(cursor)
