"""Set-based SQL that recomputes rollups from raw rows, and the same figures read from raw rows.

Each `recompute_*` deletes the rollup rows of one hotel for a range of its local days and inserts
them again from the raw tables in one statement, so running it twice changes nothing (the nightly
job and `rebuild_rollups` both rely on that). The `raw_*` functions answer the dashboard's
questions straight from the raw tables: `check_rollups` compares them, and the benchmark uses
them as its baseline.
"""

import datetime

from django.apps import apps
from django.db import connection

# Stays that never happened are not guests' stays.
DEAD_STAY_STATUSES = ("cancelled", "no_show")

# The age at arrival, from the decade of birth (the year is not kept in clear: guests/birth_dates.py),
# counted from the decade's middle year: a guest born in the 1980s arrives in 2026 aged "41".
AGE_SQL = "EXTRACT(YEAR FROM s.arrival_on)::int - (g.birth_decade + 5)"
AGE_BAND_SQL = f"""
    CASE WHEN g.birth_decade IS NULL THEN 'unknown'
         WHEN {AGE_SQL} < 25 THEN '0-24'
         WHEN {AGE_SQL} < 35 THEN '25-34'
         WHEN {AGE_SQL} < 45 THEN '35-44'
         WHEN {AGE_SQL} < 55 THEN '45-54'
         WHEN {AGE_SQL} < 65 THEN '55-64'
         ELSE '65+' END
"""


def age_at(arrival_on, birth_decade):
    """The Python twin of AGE_SQL: None when the decade is unknown."""
    return None if birth_decade is None else arrival_on.year - (birth_decade + 5)


AGE_BANDS = ("0-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown")


def age_band(age):
    """The Python twin of AGE_BAND_SQL (used by drill-downs and tests)."""
    if age is None:
        return "unknown"
    for upper, band in ((25, "0-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (65, "55-64")):
        if age < upper:
            return band
    return "65+"


# One pass over the stays with GROUPING SETS gives the total row and one row per dimension value.
STAY_FACTS_SQL = f"""
    WITH facts AS (
        SELECT s.organization_id, s.hotel_id, s.arrival_on AS day,
               COALESCE(NULLIF(g.guest_type, ''), 'unknown') AS guest_type,
               COALESCE(NULLIF(g.gender, ''), 'unknown') AS gender,
               COALESCE(NULLIF(g.nationality, ''), '--') AS nationality,
               {AGE_BAND_SQL} AS age_band,
               (s.departure_on - s.arrival_on) AS nights,
               s.room_revenue, s.fb_revenue, s.other_revenue,
               NOT EXISTS (
                   SELECT 1 FROM guests_stay e
                   WHERE e.organization_id = s.organization_id AND e.guest_id = s.guest_id
                     AND e.status NOT IN %(dead)s
                     AND (e.arrival_on < s.arrival_on OR (e.arrival_on = s.arrival_on AND e.id < s.id))
               ) AS is_first
        FROM guests_stay s JOIN guests_guestprofile g ON g.organization_id = s.organization_id AND g.id = s.guest_id
        WHERE s.organization_id = %(org)s AND s.hotel_id = %(hotel)s
          AND s.arrival_on BETWEEN %(start)s AND %(end)s AND s.status NOT IN %(dead)s
    )
    SELECT organization_id, hotel_id, day,
           CASE WHEN GROUPING(guest_type) = 0 THEN 'guest_type' WHEN GROUPING(gender) = 0 THEN 'gender'
                WHEN GROUPING(nationality) = 0 THEN 'nationality' WHEN GROUPING(age_band) = 0 THEN 'age_band'
                ELSE 'total' END AS dimension,
           COALESCE(guest_type, gender, nationality, age_band, '') AS value,
           count(*) AS arrivals, count(*) FILTER (WHERE is_first) AS new_guests,
           COALESCE(sum(nights), 0) AS nights, COALESCE(sum(room_revenue), 0) AS room_revenue,
           COALESCE(sum(fb_revenue), 0) AS fb_revenue, COALESCE(sum(other_revenue), 0) AS other_revenue
    FROM facts
    GROUP BY organization_id, hotel_id, day,
             GROUPING SETS ((), (guest_type), (gender), (nationality), (age_band))
"""
STAY_COLUMNS = "organization_id, hotel_id, day, dimension, value, arrivals, new_guests, nights, room_revenue, fb_revenue, other_revenue"

# Minutes are bucketed for the medians: to the minute under an hour, 5 minutes under 4 hours, 15
# minutes under a day, the hour under a week, the day beyond. A bucket is named by its lower bound.
DURATION_BUCKET_SQL = """
    CASE WHEN {m} IS NULL THEN NULL WHEN {m} < 60 THEN {m} WHEN {m} < 240 THEN {m} - mod({m}, 5)
         WHEN {m} < 1440 THEN {m} - mod({m}, 15) WHEN {m} < 10080 THEN {m} - mod({m}, 60)
         ELSE {m} - mod({m}, 1440) END
"""


def duration_bucket(minutes):
    """The Python twin of DURATION_BUCKET_SQL (tests and drill-downs)."""
    if minutes is None:
        return None
    for upper, width in ((60, 1), (240, 5), (1440, 15), (10080, 60)):
        if minutes < upper:
            return minutes - minutes % width
    return minutes - minutes % 1440


# Root causes are free text: grouped by their lower-cased, whitespace-folded first 100 characters.
ROOT_CAUSE_SQL = "NULLIF(left(lower(btrim(regexp_replace(c.root_cause, '[[:space:]]+', ' ', 'g'))), 100), '')"


def root_cause_key(text):
    """The Python twin of ROOT_CAUSE_SQL."""
    return " ".join((text or "").split()).lower()[:100] or None


COMPLAINT_FACTS_SQL = f"""
    WITH raw AS (
        SELECT c.organization_id, c.hotel_id, (c.received_at AT TIME ZONE %(tz)s)::date AS day,
               c.category, COALESCE(d.name, '') AS department, c.channel, c.severity,
               floor(EXTRACT(EPOCH FROM c.acknowledged_at - c.received_at) / 60)::bigint AS ack_minutes,
               floor(EXTRACT(EPOCH FROM c.resolved_at - c.received_at) / 60)::bigint AS resolve_minutes,
               (c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_due_at) AS on_time,
               c.resolved_at IS NOT NULL AS is_resolved, c.satisfaction, c.reopen_count, c.outcome,
               {ROOT_CAUSE_SQL} AS root_cause
        FROM complaints_complaint c LEFT JOIN complaints_department d ON d.organization_id = c.organization_id AND d.id = c.department_id
        WHERE c.organization_id = %(org)s AND c.hotel_id = %(hotel)s
          AND c.received_at >= %(start_at)s AND c.received_at < %(end_at)s AND c.status <> 'cancelled'
    ), facts AS (
        SELECT *, ({DURATION_BUCKET_SQL.format(m="ack_minutes")})::text AS ack_bucket,
               ({DURATION_BUCKET_SQL.format(m="resolve_minutes")})::text AS resolve_bucket,
               satisfaction::text AS rating
        FROM raw
    )
    SELECT organization_id, hotel_id, day,
           CASE WHEN GROUPING(category) = 0 THEN 'category' WHEN GROUPING(department) = 0 THEN 'department'
                WHEN GROUPING(channel) = 0 THEN 'channel' WHEN GROUPING(severity) = 0 THEN 'severity'
                WHEN GROUPING(root_cause) = 0 THEN 'root_cause' WHEN GROUPING(rating) = 0 THEN 'satisfaction'
                WHEN GROUPING(ack_bucket) = 0 THEN 'ack_minutes' WHEN GROUPING(resolve_bucket) = 0 THEN 'resolve_minutes'
                ELSE 'total' END AS dimension,
           COALESCE(category, department, channel, severity, root_cause, rating, ack_bucket, resolve_bucket, '') AS value,
           count(*) AS received, count(ack_minutes) AS acknowledged, COALESCE(sum(ack_minutes), 0) AS acknowledge_minutes,
           count(*) FILTER (WHERE is_resolved) AS resolved, COALESCE(sum(resolve_minutes), 0) AS resolve_minutes,
           count(*) FILTER (WHERE on_time) AS resolved_on_time, count(satisfaction) AS rated,
           COALESCE(sum(satisfaction), 0) AS satisfaction_sum, count(*) FILTER (WHERE reopen_count > 0) AS reopened,
           count(*) FILTER (WHERE outcome = 'justified') AS justified
    FROM facts
    GROUP BY organization_id, hotel_id, day, GROUPING SETS ((), (category), (department), (channel), (severity),
                                                             (root_cause), (rating), (ack_bucket), (resolve_bucket))
"""
COMPLAINT_COLUMNS = (
    "organization_id, hotel_id, day, dimension, value, received, acknowledged, acknowledge_minutes, resolved, "
    "resolve_minutes, resolved_on_time, rated, satisfaction_sum, reopened, justified"
)

# Points by business date (the stay's checkout date, an expiry's due date, otherwise the local day
# the entry was written; see loyalty.models.LedgerEntry.business_on), not by insertion time: points
# of an imported 2015 stay are issued in 2015.
LOYALTY_FACTS_SQL = """
    SELECT e.organization_id, e.hotel_id, e.business_on AS day, e.kind,
           count(*) AS entries, COALESCE(sum(e.points), 0) AS points
    FROM loyalty_ledgerentry e
    WHERE e.organization_id = %(org)s AND e.hotel_id {hotel_test} AND {day_test}
    GROUP BY 1, 2, 3, 4
"""
LOYALTY_COLUMNS = "organization_id, hotel_id, day, kind, entries, points"


CARE_FACTS_SQL = """
    SELECT d.organization_id, d.hotel_id, (d.created_at AT TIME ZONE %(tz)s)::date AS day, d.campaign_id AS campaign_id_value,
           d.channel, count(*) AS deliveries, count(*) FILTER (WHERE d.status = 'sent') AS sent,
           count(*) FILTER (WHERE d.status IN ('failed', 'bounced')) AS failed,
           count(*) FILTER (WHERE d.status = 'skipped') AS skipped, count(r.id) AS responses,
           COALESCE(sum(r.csat), 0) AS csat_sum, count(*) FILTER (WHERE r.nps >= 9) AS promoters,
           count(*) FILTER (WHERE r.nps <= 6) AS detractors
    FROM care_delivery d
    LEFT JOIN care_surveyresponse r ON r.delivery_id = d.id AND r.organization_id = d.organization_id
    WHERE d.organization_id = %(org)s AND d.hotel_id = %(hotel)s
      AND d.created_at >= %(start_at)s AND d.created_at < %(end_at)s
    GROUP BY 1, 2, 3, 4, 5
"""
CARE_COLUMNS = (
    "organization_id, hotel_id, day, campaign_id_value, channel, deliveries, sent, failed, skipped, responses, "
    "csat_sum, promoters, detractors"
)


# Answers by the local day the guest gave them (the care section counts them by the message's day).
SURVEY_FACTS_SQL = """
    SELECT r.organization_id, r.hotel_id, (r.created_at AT TIME ZONE %(tz)s)::date AS day, r.csat, r.nps,
           count(*) AS responses, count(*) FILTER (WHERE r.comment ~ '[^[:space:]]') AS comments
    FROM care_surveyresponse r
    WHERE r.organization_id = %(org)s AND r.hotel_id = %(hotel)s
      AND r.created_at >= %(start_at)s AND r.created_at < %(end_at)s
    GROUP BY 1, 2, 3, 4, 5
"""
SURVEY_COLUMNS = "organization_id, hotel_id, day, csat, nps, responses, comments"


def _local_bounds(tz, start, end):
    """UTC instants of local midnight at `start` and at the day after `end`, for index range scans."""
    begin = datetime.datetime.combine(start, datetime.time(), tzinfo=tz)
    finish = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return begin.astimezone(datetime.UTC), finish.astimezone(datetime.UTC)


# Whether a domain app is part of this installation: its tables exist once it is migrated. Asked
# of the app registry, not of the database: introspecting the tables cost a query (5-9 ms) each
# time a dashboard section asked.
def has_complaints():
    return apps.is_installed("complaints")


def has_care():
    return apps.is_installed("care")


def has_loyalty():
    return apps.is_installed("loyalty")


def stay_params(hotel, start, end):
    return {"org": hotel.organization_id, "hotel": hotel.pk, "start": start, "end": end, "dead": DEAD_STAY_STATUSES}


def complaint_params(hotel, start, end):
    start_at, end_at = _local_bounds(hotel.tz, start, end)
    return {
        "org": hotel.organization_id,
        "hotel": hotel.pk,
        "tz": hotel.time_zone,
        "start_at": start_at,
        "end_at": end_at,
    }


def loyalty_params(organization_id, hotel, start, end):
    return {"org": organization_id, "hotel": getattr(hotel, "pk", None), "start": start, "end": end}


def _loyalty_sql(hotel, day_test="e.business_on BETWEEN %(start)s AND %(end)s"):
    return LOYALTY_FACTS_SQL.format(hotel_test="= %(hotel)s" if hotel is not None else "IS NULL", day_test=day_test)


def lock_hotel(cursor, organization_id, hotel_id):
    """Serialise recomputations of one hotel's rollups (the nightly refresh, the dirty-day refresh
    and a rebuild may meet): two delete-and-insert passes over the same days at once could leave
    both passes' rows. Held until the caller's transaction ends."""
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK, hotel_id if hotel_id is not None else -organization_id]
    )


ROLLUP_LOCK = 73_1001  # the advisory-lock namespace of rollup recomputation


def recompute_hotel(hotel, start, end):
    """Replace every rollup row of `hotel` for its local days start..end with a fresh computation."""
    with connection.cursor() as cursor:
        org = hotel.organization_id
        lock_hotel(cursor, org, hotel.pk)
        cursor.execute(
            "DELETE FROM reports_staydailyrollup WHERE organization_id = %s AND hotel_id = %s AND day BETWEEN %s AND %s",
            [org, hotel.pk, start, end],
        )
        cursor.execute(
            f"INSERT INTO reports_staydailyrollup ({STAY_COLUMNS}) {STAY_FACTS_SQL}", stay_params(hotel, start, end)
        )
        recompute_bookings(hotel, start, end, cursor=cursor)
        if has_complaints():
            cursor.execute(
                "DELETE FROM reports_complaintdailyrollup WHERE organization_id = %s AND hotel_id = %s AND day BETWEEN %s AND %s",
                [org, hotel.pk, start, end],
            )
            cursor.execute(
                f"INSERT INTO reports_complaintdailyrollup ({COMPLAINT_COLUMNS}) {COMPLAINT_FACTS_SQL}",
                complaint_params(hotel, start, end),
            )
        if has_loyalty():
            recompute_loyalty(org, hotel, start, end, cursor=cursor)
        if has_care():
            cursor.execute(
                "DELETE FROM reports_caredailyrollup WHERE organization_id = %s AND hotel_id = %s AND day BETWEEN %s AND %s",
                [org, hotel.pk, start, end],
            )
            cursor.execute(
                f"INSERT INTO reports_caredailyrollup ({CARE_COLUMNS}) {CARE_FACTS_SQL}",
                complaint_params(hotel, start, end),
            )
            cursor.execute(
                "DELETE FROM reports_surveydailyrollup WHERE organization_id = %s AND hotel_id = %s AND day BETWEEN %s AND %s",
                [org, hotel.pk, start, end],
            )
            cursor.execute(
                f"INSERT INTO reports_surveydailyrollup ({SURVEY_COLUMNS}) {SURVEY_FACTS_SQL}",
                complaint_params(hotel, start, end),
            )


def recompute_loyalty(organization_id, hotel, start, end, *, cursor):
    if hotel is None:
        lock_hotel(cursor, organization_id, None)
    hotel_test = "hotel_id = %s" if hotel is not None else "hotel_id IS NULL"
    args = [organization_id] + ([hotel.pk] if hotel is not None else []) + [start, end]
    cursor.execute(
        f"DELETE FROM reports_loyaltydailyrollup WHERE organization_id = %s AND {hotel_test} AND day BETWEEN %s AND %s",
        args,
    )
    cursor.execute(
        f"INSERT INTO reports_loyaltydailyrollup ({LOYALTY_COLUMNS}) {_loyalty_sql(hotel)}",
        loyalty_params(organization_id, hotel, start, end),
    )


# --- Bookings: cancellations, no-shows, lead time, party, segment, channel -----------------------

LEAD_TIME_BUCKETS = ("0", "1-7", "8-30", "31-90", "91-180", "181+", "unknown")
PARTY_BUCKETS = ("single", "couple", "group", "family", "unknown")
LEAD_TIME_SQL = """
    CASE WHEN s.lead_days IS NULL THEN 'unknown' WHEN s.lead_days <= 0 THEN '0' WHEN s.lead_days <= 7 THEN '1-7'
         WHEN s.lead_days <= 30 THEN '8-30' WHEN s.lead_days <= 90 THEN '31-90' WHEN s.lead_days <= 180 THEN '91-180'
         ELSE '181+' END
"""
PARTY_SQL = """
    CASE WHEN s.adults IS NULL THEN 'unknown' WHEN COALESCE(s.children, 0) > 0 THEN 'family'
         WHEN s.adults <= 1 THEN 'single' WHEN s.adults = 2 THEN 'couple' ELSE 'group' END
"""


def lead_time_bucket(days):
    """The Python twin of LEAD_TIME_SQL."""
    if days is None:
        return "unknown"
    for upper, bucket in ((0, "0"), (7, "1-7"), (30, "8-30"), (90, "31-90"), (180, "91-180")):
        if days <= upper:
            return bucket
    return "181+"


def party_bucket(adults, children):
    """The Python twin of PARTY_SQL."""
    if adults is None:
        return "unknown"
    if (children or 0) > 0:
        return "family"
    return "single" if adults <= 1 else "couple" if adults == 2 else "group"


# Every reservation counts, cancelled and no-show too (they are what this section is about), on its
# arrival day; the cancellations are counted a second time on the local day they were made.
BOOKING_FACTS_SQL = f"""
    WITH facts AS (
        SELECT s.organization_id, s.hotel_id, s.arrival_on AS day, s.status,
               {LEAD_TIME_SQL} AS lead_time, {PARTY_SQL} AS party,
               COALESCE(NULLIF(s.market_segment, ''), '--') AS segment,
               COALESCE(NULLIF(s.channel, ''), '--') AS channel
        FROM guests_stay s
        WHERE s.organization_id = %(org)s AND s.hotel_id = %(hotel)s AND s.arrival_on BETWEEN %(start)s AND %(end)s
    )
    SELECT organization_id, hotel_id, day,
           CASE WHEN GROUPING(lead_time) = 0 THEN 'lead_time' WHEN GROUPING(party) = 0 THEN 'party'
                WHEN GROUPING(segment) = 0 THEN 'segment' WHEN GROUPING(channel) = 0 THEN 'channel'
                ELSE 'total' END AS dimension,
           COALESCE(lead_time, party, segment, channel, '') AS value,
           count(*) AS bookings, count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
           count(*) FILTER (WHERE status = 'no_show') AS no_shows
    FROM facts
    GROUP BY organization_id, hotel_id, day, GROUPING SETS ((), (lead_time), (party), (segment), (channel))
    UNION ALL
    SELECT s.organization_id, s.hotel_id, (s.cancelled_at AT TIME ZONE %(tz)s)::date, 'cancelled_on', '',
           count(*), count(*), 0
    FROM guests_stay s
    WHERE s.organization_id = %(org)s AND s.hotel_id = %(hotel)s AND s.status = 'cancelled'
      AND s.cancelled_at >= %(start_at)s AND s.cancelled_at < %(end_at)s
    GROUP BY 1, 2, 3
"""
BOOKING_COLUMNS = "organization_id, hotel_id, day, dimension, value, bookings, cancelled, no_shows"


def booking_params(hotel, start, end):
    return {**complaint_params(hotel, start, end), "start": start, "end": end}


def recompute_bookings(hotel, start, end, *, cursor):
    """Replace the booking rollup rows of `hotel` for its local days start..end."""
    cursor.execute(
        "DELETE FROM reports_bookingdailyrollup WHERE organization_id = %s AND hotel_id = %s AND day BETWEEN %s AND %s",
        [hotel.organization_id, hotel.pk, start, end],
    )
    cursor.execute(
        f"INSERT INTO reports_bookingdailyrollup ({BOOKING_COLUMNS}) {BOOKING_FACTS_SQL}",
        booking_params(hotel, start, end),
    )


def raw_booking_rows(hotel, start, end):
    return _fetch(BOOKING_FACTS_SQL, booking_params(hotel, start, end))


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [col.name for col in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def raw_stay_rows(hotel, start, end):
    """What the stay rollup of `hotel` should hold for start..end, computed from the raw rows."""
    return _fetch(STAY_FACTS_SQL, stay_params(hotel, start, end))


def raw_complaint_rows(hotel, start, end):
    return _fetch(COMPLAINT_FACTS_SQL, complaint_params(hotel, start, end)) if has_complaints() else []


def raw_care_rows(hotel, start, end):
    return _fetch(CARE_FACTS_SQL, complaint_params(hotel, start, end)) if has_care() else []


def raw_survey_rows(hotel, start, end):
    return _fetch(SURVEY_FACTS_SQL, complaint_params(hotel, start, end)) if has_care() else []


def raw_loyalty_rows(organization_id, hotel, start, end):
    return _fetch(_loyalty_sql(hotel), loyalty_params(organization_id, hotel, start, end)) if has_loyalty() else []


# --- RFM ---------------------------------------------------------------------------------------
# Fixed thresholds, not quantiles: a guest's score does not move because other guests came.
RFM_SQL = """
    WITH per_guest AS (
        SELECT organization_id, hotel_id, guest_id, max(departure_on) AS last_departure_on, count(*) AS stays,
               sum(room_revenue + fb_revenue + other_revenue) AS revenue
        FROM guests_stay
        WHERE organization_id = %(org)s AND status NOT IN %(dead)s AND arrival_on <= %(as_of)s
        GROUP BY GROUPING SETS ((organization_id, hotel_id, guest_id), (organization_id, guest_id))
    ), scored AS (
        SELECT *,
               CASE WHEN %(as_of)s - last_departure_on <= 90 THEN 5 WHEN %(as_of)s - last_departure_on <= 180 THEN 4
                    WHEN %(as_of)s - last_departure_on <= 365 THEN 3 WHEN %(as_of)s - last_departure_on <= 730 THEN 2
                    ELSE 1 END AS recency,
               CASE WHEN stays >= 10 THEN 5 WHEN stays >= 5 THEN 4 WHEN stays >= 3 THEN 3 WHEN stays = 2 THEN 2
                    ELSE 1 END AS frequency,
               CASE WHEN revenue >= 50000 THEN 5 WHEN revenue >= 20000 THEN 4 WHEN revenue >= 8000 THEN 3
                    WHEN revenue >= 2000 THEN 2 ELSE 1 END AS monetary
        FROM per_guest
    )
    INSERT INTO reports_guestrfm (organization_id, hotel_id, guest_id, as_of, last_departure_on, stays, revenue,
                                  recency, frequency, monetary, segment)
    SELECT organization_id, hotel_id, guest_id, %(as_of)s, last_departure_on, stays, revenue, recency, frequency, monetary,
           CASE WHEN recency >= 4 AND frequency >= 4 THEN 'champions'
                WHEN frequency >= 4 THEN 'loyal'
                WHEN frequency = 1 AND recency >= 4 THEN 'new'
                WHEN recency >= 4 THEN 'promising'
                WHEN recency <= 2 AND frequency >= 3 THEN 'at_risk'
                WHEN recency <= 2 THEN 'hibernating'
                ELSE 'needs_attention' END
    FROM scored
"""


def recompute_rfm(organization_id, as_of):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_guestrfm WHERE organization_id = %s", [organization_id])
        cursor.execute("DELETE FROM reports_rfmsegmentcount WHERE organization_id = %s", [organization_id])
        cursor.execute(RFM_SQL, {"org": organization_id, "as_of": as_of, "dead": DEAD_STAY_STATUSES})
        cursor.execute(
            """
            INSERT INTO reports_rfmsegmentcount (organization_id, hotel_id, as_of, segment, guests, revenue)
            SELECT organization_id, hotel_id, %s, segment, count(*), sum(revenue)
            FROM reports_guestrfm WHERE organization_id = %s GROUP BY organization_id, hotel_id, segment
            """,
            [as_of, organization_id],
        )
        if has_loyalty():
            cursor.execute("DELETE FROM reports_tiercount WHERE organization_id = %s", [organization_id])
            cursor.execute(
                """
                INSERT INTO reports_tiercount (organization_id, as_of, tier_code, tier_name, tier_rank, members)
                SELECT m.organization_id, %s, t.code, t.name, t.rank, count(*)
                FROM loyalty_membership m JOIN loyalty_tier t ON t.organization_id = m.organization_id AND t.id = m.tier_id
                WHERE m.organization_id = %s AND m.status = 'active'
                GROUP BY m.organization_id, t.code, t.name, t.rank
                """,
                [as_of, organization_id],
            )
