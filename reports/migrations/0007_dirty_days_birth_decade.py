"""The guest trigger of 0006 compared `birth_year`, which guests 0009 replaced by `birth_decade`
(the age band's source): compare the decade instead."""
from django.db import migrations

DEAD = "('cancelled', 'no_show')"


def _function(column):
    return f"""
CREATE OR REPLACE FUNCTION reports_mark_guests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reports_rollupdirtyday (organization_id, hotel_id, day)
  SELECT DISTINCT organization_id, hotel_id, day FROM (
    SELECT s.organization_id, s.hotel_id, s.arrival_on
    FROM guests_stay s JOIN new_rows n ON n.id = s.guest_id AND n.organization_id = s.organization_id
    JOIN old_rows o ON o.id = n.id
    WHERE s.status NOT IN {DEAD}
      AND (n.guest_type, n.gender, n.nationality, n.{column}) IS DISTINCT FROM (o.guest_type, o.gender, o.nationality, o.{column})
  ) marked(organization_id, hotel_id, day);
  RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("guests", "0009_dbwall_birth_date_indexes"),
        ("reports", "0006_rollup_dirty_days"),
    ]

    operations = [migrations.RunSQL(_function("birth_decade"), _function("birth_year"))]
