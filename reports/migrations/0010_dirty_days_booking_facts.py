"""The booking rollup (0009) counts every stay by arrival day and by lead time, party, segment and
channel, and cancellations by the local day they were made: the stay trigger of 0006 also marks
when those facts change, and the local day of a cancellation (old and new)."""
from django.db import migrations

DEAD = "('cancelled', 'no_show')"
MARK = "INSERT INTO reports_rollupdirtyday (organization_id, hotel_id, day) SELECT DISTINCT organization_id, hotel_id, day FROM"
COLUMNS = "id, organization_id, hotel_id, guest_id, arrival_on, cancelled_at"
FACTS = ("organization_id, hotel_id, guest_id, arrival_on, departure_on, status, room_revenue, fb_revenue, other_revenue, "
         "adults, children, market_segment, channel, lead_days, cancelled_at")


def _mark(changed):
    return f"""
  {MARK} (
    WITH changed AS ({changed})
    SELECT organization_id, hotel_id, arrival_on FROM changed
    UNION ALL
    SELECT c.organization_id, c.hotel_id, (c.cancelled_at AT TIME ZONE h.time_zone)::date
    FROM changed c JOIN core_hotel h ON h.id = c.hotel_id AND h.organization_id = c.organization_id
    WHERE c.cancelled_at IS NOT NULL
    UNION ALL
    SELECT * FROM (
      SELECT DISTINCT ON (s.guest_id) s.organization_id, s.hotel_id, s.arrival_on
      FROM guests_stay s
      WHERE (s.organization_id, s.guest_id) IN (SELECT organization_id, guest_id FROM changed)
        AND s.status NOT IN {DEAD} AND s.id NOT IN (SELECT id FROM changed)
      ORDER BY s.guest_id, s.arrival_on, s.id
    ) firsts
  ) marked(organization_id, hotel_id, day);"""


def _function(columns, facts):
    new = ", ".join("n." + c for c in facts.split(", "))
    old = ", ".join("o." + c for c in facts.split(", "))
    both = ", ".join("n." + c for c in columns.split(", ")), ", ".join("o." + c for c in columns.split(", "))
    updated = f"""
      SELECT v.* FROM new_rows n JOIN old_rows o ON o.id = n.id,
        LATERAL (VALUES ({both[0]}), ({both[1]})) AS v({columns})
      WHERE ({new}) IS DISTINCT FROM ({old})"""
    mark = _mark if "cancelled_at" in columns else _mark_without_cancellations
    return f"""
CREATE OR REPLACE FUNCTION reports_mark_stays() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN {mark("SELECT " + columns + " FROM new_rows")}
  ELSIF TG_OP = 'DELETE' THEN {mark("SELECT " + columns + " FROM old_rows")}
  ELSE {mark(updated)}
  END IF;
  RETURN NULL;
END $$;
"""


def _mark_without_cancellations(changed):
    text = _mark(changed)
    start = text.index("    UNION ALL\n    SELECT c.organization_id")
    end = text.index("    UNION ALL\n    SELECT * FROM")
    return text[:start] + text[end:]


OLD_COLUMNS = "id, organization_id, hotel_id, guest_id, arrival_on"
OLD_FACTS = "organization_id, hotel_id, guest_id, arrival_on, departure_on, status, room_revenue, fb_revenue, other_revenue"


class Migration(migrations.Migration):

    dependencies = [
        ("guests", "0010_pmsinput_booking_facts"),
        ("reports", "0009_pmsinput_booking_rollup"),
    ]

    operations = [migrations.RunSQL(_function(COLUMNS, FACTS), _function(OLD_COLUMNS, OLD_FACTS))]
