"""Composite (organization_id, id) foreign keys between tenant tables (hotelcrm/tenant_keys.py).

Tables that other apps' migrations add later get their twins from the post_migrate receiver,
which runs the same idempotent step once this migration is applied.
"""
from django.db import migrations

from hotelcrm import tenant_keys


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        tenant_keys.ensure_composite_foreign_keys(cursor)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        tenant_keys.drop_composite_foreign_keys(cursor)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_dbwall_session_key_digests")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
