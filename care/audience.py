"""Who a campaign greets on a day: one set-based SQL statement per campaign.

The nightly selection has to cope with a million guests, so audiences are selected and
enqueued in the database: `INSERT INTO care_delivery ... SELECT ... ON CONFLICT DO NOTHING`.
The unique constraint (organization, campaign, guest, occasion) makes a rerun, a retried task
or two racing workers insert nothing twice. Every audience applies the rules that protect
guests: consent for the channel, not do-not-contact, not blacklisted, not merged away or
anonymised, not confidential unless the campaign allows it, a contact address for the channel,
and for marketing the frequency cap.
"""

import datetime

from django.db import connection

from care.models import CampaignKind, Channel, DeliveryStatus
from care.occasions import gregorian_month_days_on, lunar_month_days_on
from guests.birth_dates import birthday_index

CONSENT_COLUMN = {Channel.EMAIL: "consent_email", Channel.SMS: "consent_sms", Channel.CALL: "consent_phone"}
CONTACT_KIND = {Channel.EMAIL: "email", Channel.SMS: "phone", Channel.CALL: "phone"}
# What a saved segment may filter on, and how (the UI offers the same names).
SEGMENT_FIELDS = ("nationalities", "languages", "value_classes", "guest_types", "tags", "min_vip_level", "guest_ids")


def _pairs_sql(columns, tuples, params):
    """`(a, b) IN ((%s, %s), ...)` or FALSE for an empty list."""
    if not tuples:
        return "FALSE"
    rows = []
    for values in tuples:
        rows.append("(" + ", ".join(["%s"] * len(values)) + ")")
        params.extend(values)
    return f"({', '.join(columns)}) IN ({', '.join(rows)})"


def _special_dates_sql(organization_id, kind, day, params, *, with_profile_birthday):
    """Guest ids whose yearly date of `kind` is celebrated on `day` (Gregorian and lunar)."""
    gregorian = gregorian_month_days_on(day)
    lunar = lunar_month_days_on(day)
    parts = []
    if with_profile_birthday:
        # The profile's own birth date, through the keyed month-day index (guests/birth_dates.py).
        params.extend([organization_id, [birthday_index(organization_id, month, d) for month, d in gregorian]])
        parts.append(
            "SELECT id AS guest_id FROM guests_guestprofile WHERE organization_id = %s AND birthday_index = ANY(%s)"
        )
    params.extend([organization_id, kind])
    gregorian_sql = _pairs_sql(["month", "day"], gregorian, params)
    lunar_sql = _pairs_sql(["month", "day", "is_leap_month"], lunar, params)
    parts.append(
        "SELECT guest_id FROM guests_specialdate WHERE organization_id = %s AND kind = %s AND ("
        f"(calendar = 'gregorian' AND {gregorian_sql}) OR (calendar = 'lunar' AND {lunar_sql}))"
    )
    return " UNION ".join(parts)


def _segment_sql(filters, params):
    clauses = []
    filters = filters or {}
    if filters.get("nationalities"):
        clauses.append("g.nationality = ANY(%s)")
        params.append([str(v).upper() for v in filters["nationalities"]])
    if filters.get("languages"):
        clauses.append("(split_part(lower(g.preferred_language), '-', 1) = ANY(%s) OR g.languages && %s::varchar[])")
        langs = [str(v).lower() for v in filters["languages"]]
        params.extend([langs, langs])
    if filters.get("value_classes"):
        clauses.append("g.value_class = ANY(%s)")
        params.append(list(filters["value_classes"]))
    if filters.get("guest_types"):
        clauses.append("g.guest_type = ANY(%s)")
        params.append(list(filters["guest_types"]))
    if filters.get("tags"):
        clauses.append("g.tags && %s::varchar[]")
        params.append(list(filters["tags"]))
    if filters.get("min_vip_level"):
        clauses.append("g.vip_level >= %s")
        params.append(int(filters["min_vip_level"]))
    if "guest_ids" in filters:
        # A list saved from a report (an RFM segment): exactly these guests; an empty list is nobody.
        clauses.append("g.id = ANY(%s)")
        params.append([int(v) for v in filters["guest_ids"] or []])
    return " AND ".join(clauses) or "TRUE"


# Occasions the whole group shares (the guest's own dates, the calendar's holidays), greeted by
# one hotel only: the guest's home hotel.
GROUP_OCCASIONS = frozenset({CampaignKind.BIRTHDAY, CampaignKind.ANNIVERSARY, CampaignKind.HOLIDAY})
# Stays that make a hotel the guest's home hotel: booked, in house or checked out (not cancelled
# or no-show).
HOME_STAY_STATUSES = ("booked", "in_house", "checked_out")
# Snapshots are kept for the longest catch-up window (care settings allow 14 days).
HOME_SNAPSHOT_KEEP_DAYS = 15


# The guest's latest stay per guest of an organization (booked, in house or checked out: the
# latest arrival, then the stay recorded last). One pass over the group's stays in guest order.
_LATEST_STAYS_SQL = (
    "SELECT DISTINCT ON (ls.guest_id) ls.guest_id, ls.hotel_id FROM guests_stay ls"
    " WHERE ls.organization_id = %s AND ls.status = ANY(%s)"
    " ORDER BY ls.guest_id, ls.arrival_on DESC, ls.id DESC"
)


def home_guests_ensure(organization_id, hotel_id, day):
    """Take the organization's home-hotel snapshot for local `day` unless this hotel already has one.

    One statement for all the group's hotels (a hotel without home guests gets an empty list),
    so every hotel's run of that date reads the same split. Call it under the organization's
    run lock; a repeat inserts nothing (unique per organization, hotel and date). Snapshots
    older than the longest catch-up window are dropped on the way.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM care_homeguests WHERE organization_id = %s AND hotel_id = %s AND local_date = %s",
            [organization_id, hotel_id, day],
        )
        if cursor.fetchone():
            return False
        # One sort of the group's stays by guest: in memory rather than on disk, and not worth a
        # JIT compilation (this transaction only).
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            "DELETE FROM care_homeguests WHERE organization_id = %s AND local_date < %s",
            [organization_id, day - datetime.timedelta(days=HOME_SNAPSHOT_KEEP_DAYS)],
        )
        cursor.execute(
            "INSERT INTO care_homeguests (organization_id, hotel_id, local_date, guest_ids, created_at)"
            " SELECT h.organization_id, h.id, %s, COALESCE(home.guest_ids, '{}'), now() FROM core_hotel h"
            f" LEFT JOIN (SELECT latest.hotel_id, array_agg(latest.guest_id ORDER BY latest.guest_id) AS guest_ids"
            f" FROM ({_LATEST_STAYS_SQL}) latest GROUP BY latest.hotel_id) home ON home.hotel_id = h.id"
            " WHERE h.organization_id = %s"
            " ON CONFLICT (organization_id, hotel_id, local_date) DO NOTHING",
            [day, organization_id, list(HOME_STAY_STATUSES), organization_id],
        )
    return True


def _home_hotel_sql(organization_id, hotel_id, day, params, *, snapshot):
    """Guests whose home hotel is `hotel_id`: from the day's snapshot in a run, else computed now
    (the editor's audience preview, which must not write)."""
    if snapshot:
        params.extend([organization_id, hotel_id, day])
        return (
            "g.id IN (SELECT unnest(hg.guest_ids) FROM care_homeguests hg"
            " WHERE hg.organization_id = %s AND hg.hotel_id = %s AND hg.local_date = %s)"
        )
    params.extend([organization_id, list(HOME_STAY_STATUSES), hotel_id])
    return f"g.id IN (SELECT latest.guest_id FROM ({_LATEST_STAYS_SQL}) latest WHERE latest.hotel_id = %s)"


def _greeted_elsewhere(campaign, day):
    """(condition on a `recent` delivery, params, earliest created_at): the guest was already
    greeted for this occasion by a campaign of another hotel of the group.

    The snapshot gives every guest one home hotel per date; this guards what a snapshot cannot:
    a day caught up after the next day's snapshot moved the guest. A greeting for `day` is
    queued from the day before it (the earliest time zone) on, so the guest's own recent rows
    (organization, guest, created_at index) are all that is read; the first greeting stands.
    """
    condition = (
        "(recent.occasion_on = %s AND recent.campaign_id = ANY(ARRAY(SELECT oc.id FROM care_campaign oc"
        " WHERE oc.organization_id = %s AND oc.kind = %s AND oc.id <> %s AND oc.holiday_id IS NOT DISTINCT FROM %s)))"
    )
    since = datetime.datetime.combine(day - datetime.timedelta(days=2), datetime.time(), tzinfo=datetime.UTC)
    return condition, [day, campaign.organization_id, campaign.kind, campaign.pk, campaign.holiday_id], since


def audience_sql(campaign, day, *, cap_days, now, holidays=None, home_snapshot=False):
    """(sql, params) selecting (guest_id, stay_id) of the campaign's audience on local `day`.

    `holidays` are the organization's holidays falling on `day` (for holiday campaigns).
    `home_snapshot`: read home hotels from the day's snapshot (a run takes it first, see
    `home_guests_ensure`) rather than computing them. Returns None when the campaign has
    nothing to do that day.
    """
    org, hotel = campaign.organization_id, campaign.hotel_id
    params = []
    source = "guests_guestprofile g"
    stay_column = "NULL::bigint"
    where = []
    kind = campaign.kind
    blocking = []  # (condition on a `recent` delivery, params, earliest created_at it can match)
    if kind in (CampaignKind.BIRTHDAY, CampaignKind.ANNIVERSARY):
        sub = _special_dates_sql(org, kind, day, params, with_profile_birthday=kind == CampaignKind.BIRTHDAY)
        where.append(f"g.id IN ({sub})")
    elif kind == CampaignKind.HOLIDAY:
        holiday = campaign.holiday
        if holiday is None or not any(h.pk == holiday.pk for h in (holidays or [])):
            return None
        if holiday.nationalities:
            where.append("g.nationality = ANY(%s)")
            params.append(list(holiday.nationalities))
        if holiday.languages:
            where.append("(split_part(lower(g.preferred_language), '-', 1) = ANY(%s) OR g.languages && %s::varchar[])")
            params.extend([list(holiday.languages), list(holiday.languages)])
    elif kind in (CampaignKind.POST_STAY, CampaignKind.PRE_ARRIVAL):
        if kind == CampaignKind.POST_STAY:
            stay_day, column, status = (
                day - datetime.timedelta(days=campaign.days_offset),
                "departure_on",
                "checked_out",
            )
        else:
            stay_day, column, status = day + datetime.timedelta(days=campaign.days_offset), "arrival_on", "booked"
        source = (
            "guests_stay s JOIN guests_guestprofile g ON g.id = s.guest_id AND g.organization_id = s.organization_id"
        )
        stay_column = "s.id"
        where.append(f"s.organization_id = %s AND s.hotel_id = %s AND s.{column} = %s AND s.status = %s")
        params.extend([org, hotel, stay_day, status])
    elif kind == CampaignKind.WIN_BACK:
        lapsed_since = day - datetime.timedelta(days=campaign.days_offset)
        where.append(
            "g.id IN (SELECT s.guest_id FROM guests_stay s WHERE s.organization_id = %s AND s.hotel_id = %s"
            " AND s.status = 'checked_out' GROUP BY s.guest_id HAVING max(s.departure_on) = %s AND count(*) >= %s)"
            " AND NOT EXISTS (SELECT 1 FROM guests_stay later WHERE later.organization_id = g.organization_id"
            " AND later.guest_id = g.id AND later.arrival_on > %s AND later.status IN ('booked', 'in_house', 'checked_out'))"
        )
        params.extend([org, hotel, lapsed_since, campaign.min_stays, lapsed_since])
    elif kind == CampaignKind.REVISIT:
        # Key accounts are called on their cadence, and at once when their credit review is due.
        where.append(
            "g.value_class = 'key_account' AND (g.credit_review_due_on = %s OR NOT EXISTS ("
            "SELECT 1 FROM care_delivery prior WHERE prior.organization_id = g.organization_id"
            " AND prior.campaign_id = %s AND prior.guest_id = g.id AND prior.occasion_on > %s))"
        )
        params.extend([day, campaign.pk, day - datetime.timedelta(days=campaign.cadence_days)])
    elif kind == CampaignKind.ONE_OFF:
        if campaign.scheduled_on != day:
            return None
        where.append(_segment_sql(campaign.segment.filters if campaign.segment_id else {}, params))
    else:
        return None

    where.append(
        "g.organization_id = %s AND g.merged_into_id IS NULL AND NOT g.is_anonymised AND NOT g.do_not_contact"
        f" AND g.status <> 'blacklisted' AND g.{CONSENT_COLUMN[campaign.channel]}"
    )
    params.append(org)
    if not campaign.allows_confidential:
        where.append("NOT g.is_confidential")
    where.append(
        "EXISTS (SELECT 1 FROM guests_guestcontact c WHERE c.organization_id = g.organization_id"
        " AND c.guest_id = g.id AND c.kind = %s)"
    )
    params.append(CONTACT_KIND[campaign.channel])
    if kind in GROUP_OCCASIONS:
        # A birthday, an anniversary or a holiday is the whole group's occasion: only the guest's
        # home hotel greets for it, so two hotels of a group never greet one guest for it.
        where.append(_home_hotel_sql(org, hotel, day, params, snapshot=home_snapshot))
        blocking.append(_greeted_elsewhere(campaign, day))
    elif kind not in (CampaignKind.POST_STAY, CampaignKind.PRE_ARRIVAL):
        # Revisit calls, win-back and one-off lists are the hotel's own: the guests who stayed with it.
        where.append(
            "EXISTS (SELECT 1 FROM guests_stay hs WHERE hs.organization_id = g.organization_id"
            " AND hs.guest_id = g.id AND hs.hotel_id = %s)"
        )
        params.append(hotel)
    if campaign.is_marketing and cap_days:
        # The frequency cap: a marketing message queued or sent to the guest in the last days.
        cap_start = now - datetime.timedelta(days=cap_days)
        blocking.append(("(recent.is_marketing AND recent.created_at >= %s)", [cap_start], cap_start))
    if blocking:
        # One look at the guest's recent messages (organization, guest, created_at index) for
        # every reason one of them rules this message out.
        where.append(
            "NOT EXISTS (SELECT 1 FROM care_delivery recent WHERE recent.organization_id = g.organization_id"
            " AND recent.guest_id = g.id AND recent.created_at >= %s AND recent.status IN ('queued', 'sent')"
            f" AND ({' OR '.join(condition for condition, _params, _since in blocking)}))"
        )
        params.append(min(since for _condition, _params, since in blocking))
        for _condition, condition_params, _since in blocking:
            params.extend(condition_params)
    # Only a stay-driven audience can meet a guest twice (two stays departing the same day).
    distinct = "DISTINCT ON (g.id) " if stay_column != "NULL::bigint" else ""
    sql = f"SELECT {distinct}g.id AS guest_id, {stay_column} AS stay_id FROM {source} WHERE " + " AND ".join(
        f"({clause})" for clause in where
    )
    return sql, params


def audience_count(campaign, day, *, cap_days, now, holidays=None):
    built = audience_sql(campaign, day, cap_days=cap_days, now=now, holidays=holidays)
    if built is None:
        return 0
    sql, params = built
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) audience", params)
        return cursor.fetchone()[0]


def deliveries_enqueue(campaign, day, *, run, cap_days, now, holidays=None):
    """Insert the queued deliveries of `campaign` for `day`; returns how many were new.

    Home hotels come from the day's snapshot: take it first with `home_guests_ensure`.
    """
    built = audience_sql(campaign, day, cap_days=cap_days, now=now, holidays=holidays, home_snapshot=True)
    if built is None:
        return 0
    sql, params = built
    insert = (
        "INSERT INTO care_delivery (organization_id, hotel_id, campaign_id, guest_id, occasion_on, stay_id, run_id,"
        " channel, is_marketing, language, status, attempts, last_error, created_at)"
        f" SELECT %s, %s, %s, audience.guest_id, %s, audience.stay_id, %s, %s, %s, '', %s, 0, '', %s FROM ({sql}) audience"
        " ON CONFLICT (organization_id, campaign_id, guest_id, occasion_on) DO NOTHING"
    )
    head = [
        campaign.organization_id,
        campaign.hotel_id,
        campaign.pk,
        day,
        run.pk if run else None,
        campaign.channel,
        campaign.is_marketing,
        DeliveryStatus.QUEUED,
        now,
    ]
    with connection.cursor() as cursor:
        cursor.execute(insert, head + params)
        return cursor.rowcount
