"""Row-level security with a signed tenant setting and a separate all-tenants role (hotelcrm/rls.py).

Forwards replaces the unsigned policy of 0007 (`hotelcrm_tenant_allows`, which trusted any value
of `hotelcrm.tenant`, 'system' included) by the signed one; backwards puts the unsigned one back.
"""
from django.db import migrations

from hotelcrm import rls

UNSIGNED_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION hotelcrm_tenant_allows(organization bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE coalesce(current_setting('hotelcrm.tenant', true), '')
    WHEN 'system' THEN true
    WHEN '' THEN false
    ELSE organization = current_setting('hotelcrm.tenant', true)::bigint
  END
$$;
"""


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        rls.ensure_role(cursor)
        rls.ensure_policies(cursor)


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        rls.drop_policies(cursor)
        cursor.execute(UNSIGNED_FUNCTION_SQL)
        for table, column in rls.tenant_tables(cursor):
            cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            cursor.execute(f'CREATE POLICY {rls.POLICY} ON "{table}" USING (hotelcrm_tenant_allows("{column}"))'
                           f' WITH CHECK (hotelcrm_tenant_allows("{column}"))')
        cursor.execute(f"CREATE POLICY {rls.NULL_ORG_POLICY} ON core_auditevent USING (organization_id IS NULL)"
                       " WITH CHECK (organization_id IS NULL)")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_row_level_security")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
