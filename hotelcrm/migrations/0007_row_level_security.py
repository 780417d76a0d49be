"""Row-level security on every tenant table (see hotelcrm/rls.py).

Tables that later migrations add get their policy from the post_migrate receiver, which runs
the same idempotent `ensure_policies`; tests/core/test_rls.py checks that none is missed.
"""
from django.db import migrations

from hotelcrm import rls


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        rls.ensure_role(cursor)
        rls.ensure_policies(cursor)


def backwards(apps, schema_editor):
    # The role is cluster-wide and may serve other databases: it stays.
    with schema_editor.connection.cursor() as cursor:
        rls.drop_policies(cursor)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_organization_guest_retention")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
