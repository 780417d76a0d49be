"""Distribution readiness: what Citus needs to shard every tenant table by organization_id.

Models are found through the app registry and checked against the real database schema,
so a new tenant model is checked the day it is added.
"""

from django.db import connection

from hotelcrm.tenancy import tenant_models


def _indexes(table):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, ix.indisunique, ix.indisprimary,
                   array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
                         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)
            FROM pg_index ix
            JOIN pg_class t ON t.oid = ix.indrelid
            JOIN pg_class i ON i.oid = ix.indexrelid
            WHERE t.relname = %s
            """,
            [table],
        )
        return cursor.fetchall()


def test_tenant_models_are_found():
    labels = {m._meta.label for m in tenant_models()}
    assert {"core.Hotel", "core.Membership", "core.AuditEvent", "guests.GuestProfile", "guests.Stay"} <= labels


def test_every_tenant_table_has_an_index_led_by_organization_id(db):
    for model in tenant_models():
        indexes = _indexes(model._meta.db_table)
        assert any(columns and columns[0] == "organization_id" for _, _, _, columns in indexes), model._meta.label


def test_every_unique_constraint_of_a_tenant_table_includes_organization_id(db):
    for model in tenant_models():
        for name, is_unique, is_primary, columns in _indexes(model._meta.db_table):
            if is_unique and not is_primary:
                assert "organization_id" in columns, f"{model._meta.label}: unique index {name} {columns}"


def test_no_tenant_model_declares_a_globally_unique_field():
    for model in tenant_models():
        for field in model._meta.local_fields:
            if field.unique and not field.primary_key:
                raise AssertionError(f"{model._meta.label}.{field.name} is unique across tenants")
