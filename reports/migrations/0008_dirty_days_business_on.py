"""Ledger entries count on their business date (loyalty 0005): the ledger trigger of 0006 marks
that day instead of the local day the entry was written."""
from django.db import migrations

MARK = "INSERT INTO reports_rollupdirtyday (organization_id, hotel_id, day) SELECT DISTINCT organization_id, hotel_id, day FROM"

BY_BUSINESS_DATE = f"""
CREATE OR REPLACE FUNCTION reports_mark_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {MARK} (SELECT organization_id, hotel_id, business_on FROM new_rows) marked(organization_id, hotel_id, day);
  RETURN NULL;
END $$;
"""

BY_LOCAL_DAY = f"""
CREATE OR REPLACE FUNCTION reports_mark_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {MARK} (
    SELECT r.organization_id, r.hotel_id, (r.created_at AT TIME ZONE COALESCE(h.time_zone, 'UTC'))::date
    FROM new_rows r LEFT JOIN core_hotel h ON h.id = r.hotel_id AND h.organization_id = r.organization_id
  ) marked(organization_id, hotel_id, day);
  RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("loyalty", "0005_loyaltydates_business_on_min_stay"),
        ("reports", "0007_dirty_days_birth_decade"),
    ]

    operations = [migrations.RunSQL(BY_BUSINESS_DATE, BY_LOCAL_DAY)]
