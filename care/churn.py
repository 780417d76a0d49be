"""Churn early warning: a nightly risk score per regular guest, and the watch list it feeds.

A regular is a guest with at least two checked-out stays, the last of them within two years
(older ones are lapsed: the win-back campaign's audience, not an early warning). The score
adds up signals a relationship owner would recognise, each kept as a reason:

- overdue: days since the last stay against the guest's own usual gap between arrivals;
- fewer stays, or lower spend, in the last twelve months than in the twelve before;
- an open complaint; a low rating in the last year (complaint handling <= 2, survey CSAT <= 2
  or NPS <= 6);
- high value (top quarter of the group's regulars by lifetime spend) raises any other risk.

Scoring is one set-based pass per organization in one transaction, once per local date
(ChurnRun is unique per organization and date): a rerun or a second worker changes nothing.
"""

import datetime

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from care.models import ChurnReason, ChurnRun
from hotelcrm.audit import audit_record
from hotelcrm.selectors import home_hotel, home_hotels

WATCH_THRESHOLD = 50
POINTS = {
    ChurnReason.OVERDUE: 25,  # idle for more than 1.5 usual gaps
    "overdue_long": 40,  # idle for more than 3 usual gaps
    ChurnReason.FEWER_STAYS: 20,
    ChurnReason.LOWER_SPEND: 15,
    ChurnReason.OPEN_COMPLAINT: 20,
    ChurnReason.LOW_RATING: 25,
    ChurnReason.HIGH_VALUE: 10,
}
SCORE_AFTER_HOUR = 3  # local time, after the night audit has closed yesterday's stays

_COMPLAINTS_CTE = """
, complaint_signals AS (
    SELECT c.guest_id,
           count(*) FILTER (WHERE c.status IN ('received', 'acknowledged', 'in_progress')) AS open_n,
           count(*) FILTER (WHERE c.satisfaction <= 2 AND c.closed_at >= %(year_ago_at)s) AS low_n
    FROM complaints_complaint c
    WHERE c.organization_id = %(org)s AND c.guest_id IN (SELECT guest_id FROM regulars)
    GROUP BY c.guest_id
)"""
_NO_COMPLAINTS_CTE = """
, complaint_signals AS (SELECT NULL::bigint AS guest_id, 0 AS open_n, 0 AS low_n WHERE FALSE)"""

SCORE_SQL = """
CREATE TEMP TABLE churn_new ON COMMIT DROP AS
WITH regulars AS (
    SELECT s.guest_id,
           count(*) AS stays,
           max(s.departure_on) AS last_departure,
           min(s.arrival_on) AS first_arrival,
           max(s.arrival_on) AS last_arrival,
           count(*) FILTER (WHERE s.departure_on > %(year_ago)s) AS stays_recent,
           count(*) FILTER (WHERE s.departure_on > %(two_years_ago)s AND s.departure_on <= %(year_ago)s) AS stays_before,
           COALESCE(sum(s.room_revenue + s.fb_revenue + s.other_revenue)
                    FILTER (WHERE s.departure_on > %(year_ago)s), 0) AS spend_recent,
           COALESCE(sum(s.room_revenue + s.fb_revenue + s.other_revenue)
                    FILTER (WHERE s.departure_on > %(two_years_ago)s AND s.departure_on <= %(year_ago)s), 0) AS spend_before,
           sum(s.room_revenue + s.fb_revenue + s.other_revenue) AS spend_total
    FROM guests_stay s
    JOIN guests_guestprofile g ON g.organization_id = s.organization_id AND g.id = s.guest_id
    WHERE s.organization_id = %(org)s AND s.status = 'checked_out' AND s.departure_on <= %(today)s
      AND g.merged_into_id IS NULL AND NOT g.is_anonymised
    GROUP BY s.guest_id
    HAVING count(*) >= 2 AND max(s.departure_on) > %(two_years_ago)s
), valued AS (
    SELECT percentile_cont(0.75) WITHIN GROUP (ORDER BY spend_total) AS p75 FROM regulars
){complaints_cte}
, survey_signals AS (
    SELECT r.guest_id, count(*) AS low_n
    FROM care_surveyresponse r
    WHERE r.organization_id = %(org)s AND r.created_at >= %(year_ago_at)s AND (r.csat <= 2 OR r.nps <= 6)
    GROUP BY r.guest_id
), signals AS (
    SELECT r.guest_id, r.last_departure,
           %(today)s - r.last_departure AS idle_days,
           GREATEST(30, (r.last_arrival - r.first_arrival) / (r.stays - 1)) AS usual_gap,
           r.stays_recent, r.stays_before, r.spend_recent, r.spend_before,
           r.spend_total >= v.p75 AS high_value,
           COALESCE(c.open_n, 0) AS open_complaints,
           COALESCE(c.low_n, 0) + COALESCE(sv.low_n, 0) AS low_ratings
    FROM regulars r CROSS JOIN valued v
    LEFT JOIN complaint_signals c ON c.guest_id = r.guest_id
    LEFT JOIN survey_signals sv ON sv.guest_id = r.guest_id
), flagged AS (
    SELECT *,
           CASE WHEN idle_days > 3 * usual_gap THEN %(p_overdue_long)s
                WHEN idle_days * 2 > 3 * usual_gap THEN %(p_overdue)s ELSE 0 END AS p_overdue,
           CASE WHEN stays_before >= 2 AND stays_recent * 2 <= stays_before THEN %(p_fewer)s ELSE 0 END AS p_fewer,
           CASE WHEN spend_before > 0 AND spend_recent * 2 < spend_before THEN %(p_spend)s ELSE 0 END AS p_spend,
           CASE WHEN open_complaints > 0 THEN %(p_open)s ELSE 0 END AS p_open,
           CASE WHEN low_ratings > 0 THEN %(p_low)s ELSE 0 END AS p_low
    FROM signals
), scored AS (
    SELECT *, p_overdue + p_fewer + p_spend + p_open + p_low AS risk FROM flagged
)
SELECT guest_id, last_departure,
       LEAST(100, risk + CASE WHEN high_value AND risk > 0 THEN %(p_value)s ELSE 0 END) AS score,
       to_jsonb(array_remove(ARRAY[
           CASE WHEN p_overdue > 0 THEN jsonb_build_array('overdue', jsonb_build_object('days', idle_days, 'usual', usual_gap)) END,
           CASE WHEN p_fewer > 0 THEN jsonb_build_array('fewer_stays', jsonb_build_object('recent', stays_recent, 'before', stays_before)) END,
           CASE WHEN p_spend > 0 THEN jsonb_build_array('lower_spend', jsonb_build_object()) END,
           CASE WHEN p_open > 0 THEN jsonb_build_array('open_complaint', jsonb_build_object('count', open_complaints)) END,
           CASE WHEN p_low > 0 THEN jsonb_build_array('low_rating', jsonb_build_object('count', low_ratings)) END,
           CASE WHEN high_value AND risk > 0 THEN jsonb_build_array('high_value', jsonb_build_object()) END
       ]::jsonb[], NULL)) AS reasons
FROM scored
"""

MOVEMENT_SQL = """
SELECT
    (SELECT count(*) FROM churn_new n LEFT JOIN care_churnscore o ON o.organization_id = %(org)s AND o.guest_id = n.guest_id
     WHERE n.score >= %(threshold)s AND NOT COALESCE(o.on_watch, false)),
    (SELECT count(*) FROM care_churnscore o LEFT JOIN churn_new n ON n.guest_id = o.guest_id
     WHERE o.organization_id = %(org)s AND o.on_watch AND COALESCE(n.score, 0) < %(threshold)s)
"""

ENTERED_OWNERS_SQL = """
SELECT g.relationship_owner_id, count(*) FROM churn_new n
JOIN guests_guestprofile g ON g.organization_id = %(org)s AND g.id = n.guest_id
LEFT JOIN care_churnscore o ON o.organization_id = %(org)s AND o.guest_id = n.guest_id
WHERE n.score >= %(threshold)s AND NOT COALESCE(o.on_watch, false) AND g.relationship_owner_id IS NOT NULL
GROUP BY g.relationship_owner_id
"""

UPSERT_SQL = """
INSERT INTO care_churnscore (organization_id, guest_id, score, reasons, on_watch, watch_since, last_stay_on, computed_on)
SELECT %(org)s, guest_id, score, reasons, score >= %(threshold)s, CASE WHEN score >= %(threshold)s THEN %(today)s::date END,
       last_departure, %(today)s FROM churn_new
ON CONFLICT (organization_id, guest_id) DO UPDATE SET
    score = EXCLUDED.score, reasons = EXCLUDED.reasons, on_watch = EXCLUDED.on_watch,
    watch_since = CASE WHEN NOT EXCLUDED.on_watch THEN NULL
                       WHEN care_churnscore.on_watch THEN care_churnscore.watch_since
                       ELSE EXCLUDED.watch_since END,
    last_stay_on = EXCLUDED.last_stay_on, computed_on = EXCLUDED.computed_on
"""

# A guest who is no longer a regular (merged away, anonymised, lapsed beyond two years) leaves the list.
PRUNE_SQL = """
DELETE FROM care_churnscore o WHERE o.organization_id = %(org)s
  AND NOT EXISTS (SELECT 1 FROM churn_new n WHERE n.guest_id = o.guest_id)
"""

REASONS_SQL = """
SELECT reason->>0, count(*) FROM care_churnscore o, jsonb_array_elements(o.reasons) reason
WHERE o.organization_id = %(org)s AND o.on_watch GROUP BY 1
"""


def _params(organization_id, local_date, tz):
    year_ago = local_date - datetime.timedelta(days=365)
    return {
        "org": organization_id,
        "today": local_date,
        "year_ago": year_ago,
        "two_years_ago": local_date - datetime.timedelta(days=730),
        "year_ago_at": datetime.datetime.combine(year_ago, datetime.time.min, tzinfo=tz),
        "threshold": WATCH_THRESHOLD,
        "p_overdue": POINTS[ChurnReason.OVERDUE],
        "p_overdue_long": POINTS["overdue_long"],
        "p_fewer": POINTS[ChurnReason.FEWER_STAYS],
        "p_spend": POINTS[ChurnReason.LOWER_SPEND],
        "p_open": POINTS[ChurnReason.OPEN_COMPLAINT],
        "p_low": POINTS[ChurnReason.LOW_RATING],
        "p_value": POINTS[ChurnReason.HIGH_VALUE],
    }


def churn_scores_refresh(*, organization_id, local_date=None):
    """Score an organization's regulars for `local_date` (its home hotel's today by default), once.

    Returns the ChurnRun (the existing one when the day was scored already), or None for an
    organization without hotels.
    """
    hotel = home_hotel(organization_id)
    if hotel is None:
        return None
    local_date = local_date or timezone.now().astimezone(hotel.tz).date()
    existing = ChurnRun.objects.for_org(organization_id).filter(local_date=local_date).first()
    if existing is not None:
        return existing
    params = _params(organization_id, local_date, hotel.tz)
    sql = SCORE_SQL.format(complaints_cte=_COMPLAINTS_CTE if apps.is_installed("complaints") else _NO_COMPLAINTS_CTE)
    try:
        with transaction.atomic():
            # One scoring per organization at a time: the run row below is the second guard.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7011, organization_id])
                if ChurnRun.objects.for_org(organization_id).filter(local_date=local_date).exists():
                    return ChurnRun.objects.for_org(organization_id).get(local_date=local_date)
                # ON COMMIT DROP alone is not enough when the caller holds an outer transaction.
                cursor.execute("DROP TABLE IF EXISTS churn_new")
                cursor.execute(sql, params)
                cursor.execute("SELECT count(*), count(*) FILTER (WHERE score >= %(threshold)s) FROM churn_new", params)
                scored, on_watch = cursor.fetchone()
                cursor.execute(MOVEMENT_SQL, params)
                entered, left = cursor.fetchone()
                cursor.execute(ENTERED_OWNERS_SQL, params)
                entered_by_owner = dict(cursor.fetchall())
                cursor.execute(UPSERT_SQL, params)
                cursor.execute(PRUNE_SQL, params)
                cursor.execute(REASONS_SQL, params)
                reasons = dict(cursor.fetchall())
                cursor.execute("DROP TABLE churn_new")
            run = ChurnRun.objects.create(
                organization_id=organization_id,
                local_date=local_date,
                scored=scored,
                on_watch=on_watch,
                entered=entered,
                left=left,
                reasons=reasons,
            )
            _tell_owners(organization_id, local_date, entered_by_owner)
            audit_record(
                action="care.churn_scored",
                organization=hotel.organization,
                actor_label="churn scoring job",
                obj=run,
                extra={
                    "local_date": local_date.isoformat(),
                    "scored": scored,
                    "on_watch": on_watch,
                    "entered": entered,
                    "left": left,
                },
            )
    except IntegrityError:  # another worker finished the same day first
        return ChurnRun.objects.for_org(organization_id).get(local_date=local_date)
    return run


def _tell_owners(organization_id, local_date, entered_by_owner):
    """One in-app notice (and email) per relationship owner whose guests joined the list today."""
    if not entered_by_owner:
        return
    from django.contrib.auth import get_user_model

    from notifications.services import notify

    url = reverse("care:watch-list") + "?show=new"
    for user in get_user_model().objects.filter(pk__in=list(entered_by_owner), is_active=True).order_by("pk"):
        notify(
            organization=organization_id,
            recipients=[user],
            kind="churn_watch",
            dedupe_key=f"churn:{local_date.isoformat()}",
            title=gettext_noop("%(count)s of your guests joined the churn watch list"),
            body=gettext_noop(
                "Their stays, spend or feedback suggest they may be drifting away. The watch list shows why."
            ),
            params={"count": entered_by_owner[user.pk]},
            url=url,
        )


def churn_due_organizations(*, now=None):
    """[(organization_id, local_date)] whose day is not scored yet and whose local time has passed
    SCORE_AFTER_HOUR (in the home hotel's time zone). The dispatcher crosses tenants on purpose."""
    now = now or timezone.now()
    homes = home_hotels()
    done = set(
        ChurnRun.objects.all_tenants_unscoped()
        .filter(local_date__gte=(now - datetime.timedelta(days=2)).date())
        .values_list("organization_id", "local_date")
    )
    due = []
    for organization_id, hotel in homes.items():
        local = now.astimezone(hotel.tz)
        if local.hour >= SCORE_AFTER_HOUR and (organization_id, local.date()) not in done:
            due.append((organization_id, local.date()))
    return due
