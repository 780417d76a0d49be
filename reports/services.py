"""Writes of the reports app: rollup refreshes, subscriptions, audited exports, the emailed summary."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hotelcrm.audit import audit_record
from hotelcrm.models import Hotel
from reports import rollups
from reports.exceptions import ReportError
from reports.models import (
    CareDailyRollup,
    ComplaintDailyRollup,
    Frequency,
    LoyaltyDailyRollup,
    ReportSubscription,
    RollupDirtyDay,
    RollupRun,
    StayDailyRollup,
    SurveyDailyRollup,
)

logger = logging.getLogger(__name__)

# The nightly refresh recomputes this many local days back: revenue is posted at check-out and
# complaints are resolved days after they were received, so recent days keep changing.
REFRESH_WINDOW_DAYS = 60


def rollups_rebuild(*, organization, hotels, start, end, with_rfm=True, as_of=None):
    """Recompute every rollup of `hotels` for local days start..end from raw rows (replace, not add).

    Marks of changed days inside the range, read before recomputing, are removed: the rebuild
    covered them (see `rollups_refresh_dirty`)."""
    marks = list(
        RollupDirtyDay.objects.for_org(organization)
        .filter(Q(hotel__in=hotels) | Q(hotel__isnull=True), day__range=(start, end))
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        for hotel in hotels:
            rollups.recompute_hotel(hotel, start, end)
        if rollups.has_loyalty():
            from django.db import connection

            with connection.cursor() as cursor:
                rollups.recompute_loyalty(organization.pk, None, start, end, cursor=cursor)
        if with_rfm:
            rollups.recompute_rfm(organization.pk, as_of or end)
        RollupDirtyDay.objects.for_org(organization).filter(pk__in=marks).delete()


def rollup_refresh_hotel(*, hotel, local_date):
    """The nightly job for one hotel and one local date: refresh the window ending yesterday.

    Claimed with a unique run row; a finished run is not redone, a run a dead worker left
    unfinished is simply recomputed (recompute-and-replace is idempotent).
    """
    try:
        run, _created = RollupRun.objects.get_or_create(
            organization_id=hotel.organization_id, hotel=hotel, local_date=local_date
        )
    except IntegrityError:  # a concurrent claim won; it will finish the work
        return False
    if run.finished_at is not None:
        return False
    end = local_date - datetime.timedelta(days=1)
    start = local_date - datetime.timedelta(days=REFRESH_WINDOW_DAYS)
    with transaction.atomic():
        rollups.recompute_hotel(hotel, start, end)
        RollupRun.objects.for_hotel(hotel).filter(pk=run.pk).update(finished_at=timezone.now())
    return True


# Dirty days of one hotel closer than this are recomputed as one range (one pass over the raw rows
# instead of one per day); farther apart, as separate ranges.
DIRTY_RANGE_GAP_DAYS = 7


def _day_ranges(days):
    ranges = []
    for day in sorted(days):
        if ranges and (day - ranges[-1][1]).days <= DIRTY_RANGE_GAP_DAYS:
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return ranges


def rollups_refresh_dirty(*, organization):
    """Recompute every day the triggers marked for `organization` (an Organization or its id);
    returns the days recomputed.

    The marks are read before recomputing and only those are removed afterwards: a mark is
    written in the same transaction as its change, so a mark that was visible when we read it
    belongs to a change that the recomputation sees. Marks that appear meanwhile stay for the
    next run. One transaction per hotel, under that hotel's rollup lock.
    """
    from django.db import connection

    hotels = {hotel.pk: hotel for hotel in Hotel.objects.for_org(organization)}
    marks = {}
    for mark_id, hotel_id, day in RollupDirtyDay.objects.for_org(organization).values_list("pk", "hotel_id", "day"):
        ids, days = marks.setdefault(hotel_id, ([], set()))
        ids.append(mark_id)
        days.add(day)
    recomputed = 0
    for hotel_id, (ids, days) in sorted(marks.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        with transaction.atomic():
            for start, end in _day_ranges(days):
                if hotel_id is None:
                    if rollups.has_loyalty():
                        with connection.cursor() as cursor:
                            rollups.recompute_loyalty(
                                getattr(organization, "pk", organization), None, start, end, cursor=cursor
                            )
                elif hotel_id in hotels:
                    rollups.recompute_hotel(hotels[hotel_id], start, end)
            RollupDirtyDay.objects.for_org(organization).filter(pk__in=ids).delete()
        recomputed += len(days)
    return recomputed


def rfm_refresh(*, organization, as_of):
    with transaction.atomic():
        rollups.recompute_rfm(organization.pk, as_of)


@dataclass
class RollupDifference:
    table: str
    hotel: object
    day: datetime.date
    key: str
    expected: dict = field(default_factory=dict)
    found: dict = field(default_factory=dict)


def _index(rows, key_fields):
    return {tuple(str(row[f]) for f in key_fields): row for row in rows}


def _compare(table, hotel, expected_rows, found_rows, key_fields, value_fields):
    differences = []
    expected, found = _index(expected_rows, key_fields), _index(found_rows, key_fields)
    for key in sorted(set(expected) | set(found)):
        want = {f: expected[key][f] for f in value_fields} if key in expected else {}
        have = {f: found[key][f] for f in value_fields} if key in found else {}
        if want != have:
            differences.append(
                RollupDifference(table=table, hotel=hotel, day=key[0], key="/".join(key[1:]), expected=want, found=have)
            )
    return differences


CARE_VALUES = ("deliveries", "sent", "failed", "skipped", "responses", "csat_sum", "promoters", "detractors")
STAY_VALUES = ("arrivals", "new_guests", "nights", "room_revenue", "fb_revenue", "other_revenue")
COMPLAINT_VALUES = (
    "received",
    "acknowledged",
    "acknowledge_minutes",
    "resolved",
    "resolve_minutes",
    "resolved_on_time",
    "rated",
    "satisfaction_sum",
    "reopened",
    "justified",
)


def rollups_check(*, organization, hotels, start, end):
    """Every difference between the stored rollups and a fresh computation from raw rows (empty = agree)."""
    differences = []
    for hotel in hotels:
        found = (
            StayDailyRollup.objects.for_hotel(hotel)
            .filter(day__range=(start, end))
            .values("day", "dimension", "value", *STAY_VALUES)
        )
        differences += _compare(
            "stays",
            hotel,
            rollups.raw_stay_rows(hotel, start, end),
            list(found),
            ("day", "dimension", "value"),
            STAY_VALUES,
        )
        if rollups.has_complaints():
            found = (
                ComplaintDailyRollup.objects.for_hotel(hotel)
                .filter(day__range=(start, end))
                .values("day", "dimension", "value", *COMPLAINT_VALUES)
            )
            differences += _compare(
                "complaints",
                hotel,
                rollups.raw_complaint_rows(hotel, start, end),
                list(found),
                ("day", "dimension", "value"),
                COMPLAINT_VALUES,
            )
        if rollups.has_care():
            found = (
                CareDailyRollup.objects.for_hotel(hotel)
                .filter(day__range=(start, end))
                .values("day", "campaign_id_value", "channel", *CARE_VALUES)
            )
            differences += _compare(
                "care",
                hotel,
                rollups.raw_care_rows(hotel, start, end),
                list(found),
                ("day", "campaign_id_value", "channel"),
                CARE_VALUES,
            )
            found = (
                SurveyDailyRollup.objects.for_hotel(hotel)
                .filter(day__range=(start, end))
                .values("day", "csat", "nps", "responses", "comments")
            )
            differences += _compare(
                "surveys",
                hotel,
                rollups.raw_survey_rows(hotel, start, end),
                list(found),
                ("day", "csat", "nps"),
                ("responses", "comments"),
            )
    if rollups.has_loyalty():
        for hotel in [*hotels, None]:
            found = (
                LoyaltyDailyRollup.objects.for_org(organization)
                .filter(hotel=hotel, day__range=(start, end))
                .values("day", "kind", "entries", "points")
            )
            differences += _compare(
                "loyalty",
                hotel,
                rollups.raw_loyalty_rows(organization.pk, hotel, start, end),
                list(found),
                ("day", "kind"),
                ("entries", "points"),
            )
    return differences


# --- Subscriptions and the emailed summary -------------------------------------------------------


def subscription_create(*, user, hotel, frequency, is_group, request=None):
    if frequency not in Frequency.values:
        raise ReportError(_("Choose weekly or monthly."))
    with transaction.atomic():
        subscription, created = ReportSubscription.objects.get_or_create(
            organization_id=hotel.organization_id,
            hotel=hotel,
            user=user,
            frequency=frequency,
            defaults={"is_group": is_group},
        )
        if not created:
            subscription.is_group, subscription.is_active = is_group, True
            subscription.save(update_fields=["is_group", "is_active"])
        audit_record(
            action="report.subscribe",
            organization=hotel.organization,
            hotel=hotel,
            actor=user,
            obj=subscription,
            request=request,
            extra={"frequency": frequency, "is_group": is_group},
        )
    return subscription


def subscription_cancel(*, subscription, actor, request=None):
    with transaction.atomic():
        subscription.is_active = False
        subscription.save(update_fields=["is_active"])
        audit_record(
            action="report.unsubscribe", hotel=subscription.hotel, actor=actor, obj=subscription, request=request
        )
    return subscription


def subscription_period(frequency, local_today):
    """The period a subscription due on `local_today` reports on, or None if it is not due today."""
    if frequency == Frequency.WEEKLY:
        if local_today.weekday() != 0:
            return None
        return local_today - datetime.timedelta(days=7), local_today - datetime.timedelta(days=1)
    if local_today.day != 1:
        return None
    end = local_today - datetime.timedelta(days=1)
    return end.replace(day=1), end


def subscription_send(*, subscription, local_today):
    """Email one subscription's summary for the period due today, at most once per period.

    The conditional update claims the period: two workers (or a retried task) cannot both send.
    """
    period = subscription_period(subscription.frequency, local_today)
    if period is None:
        return False
    start, end = period
    claimed = (
        ReportSubscription.objects.for_hotel(subscription.hotel)
        .filter(
            pk=subscription.pk,
            is_active=True,
        )
        .exclude(last_period_end_on__gte=end)
        .update(last_period_end_on=end)
    )
    if claimed != 1:
        return False
    from reports.selectors import Scope, dashboard_summary

    scope = Scope.for_subscription(subscription)
    if scope is None:  # no longer allowed to see this scope
        return False
    with translation.override(subscription.organization.default_language):
        summary = dashboard_summary(scope=scope, start=start, end=end)
        subject = _("%(scope)s: guest report %(start)s – %(end)s") % {"scope": scope.label, "start": start, "end": end}
        body = render_to_string(
            "reports/email_summary.txt",
            {
                "summary": summary,
                "scope": scope,
                "start": start,
                "end": end,
                "site_url": getattr(settings, "SITE_URL", ""),
            },
        )
    send_mail(subject, body, None, [subscription.user.email])
    return True


def report_export_record(*, request, report, fmt, extra=None):
    """The audit event of an export; recorded before the file is streamed."""
    with transaction.atomic():
        audit_record(
            action="report.export",
            organization=request.organization,
            hotel=request.hotel,
            actor=request.user,
            request=request,
            extra={"report": report, "format": fmt, **(extra or {})},
        )


CARE_SEGMENT_MAX_GUESTS = 50_000


def rfm_segment_to_care(*, scope, segment, actor, request=None):
    """Save the guests of an RFM segment, as the report lists them now, as a care segment that a
    one-off campaign can target (care's own rules, consent and the frequency cap still apply)."""
    from care.services import segment_save
    from reports.selectors import RFM_SEGMENTS, rfm_guest_list

    guest_ids = list(
        rfm_guest_list(scope=scope, segment=segment).values_list("guest_id", flat=True)[: CARE_SEGMENT_MAX_GUESTS + 1]
    )
    if not guest_ids:
        raise ReportError(_("This segment has no guests to save."))
    if len(guest_ids) > CARE_SEGMENT_MAX_GUESTS:
        raise ReportError(
            _("This segment has more than %(max)s guests: narrow it before saving it for a campaign.")
            % {"max": f"{CARE_SEGMENT_MAX_GUESTS:,}"}
        )
    stamp = timezone.localtime(timezone.now(), scope.hotel.tz).strftime("%Y-%m-%d %H:%M")
    name = f"RFM {RFM_SEGMENTS[segment]} · {scope.label} · {stamp}"[:100]
    with transaction.atomic():
        return segment_save(
            organization=scope.organization,
            actor=actor,
            name=name,
            request=request,
            filters={
                "guest_ids": guest_ids,
                "source": f"rfm:{segment}:{'group' if scope.is_group else scope.hotel.pk}",
            },
        )
