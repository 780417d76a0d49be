"""Reads of guest care: each takes the tenant and returns querysets or plain data in constant queries."""

import datetime

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone

from care.audience import audience_count
from care.models import (
    CallTask,
    CallTaskStatus,
    Campaign,
    CareSettings,
    ChurnRun,
    ChurnScore,
    Delivery,
    DeliveryStatus,
    Holiday,
    JobRun,
    MessageTemplate,
    Segment,
    SurveyResponse,
)
from care.occasions import holidays_on
from guests.models import Stay


def campaign_list(*, hotel):
    """The hotel's campaigns with their message counts by status (two queries)."""
    campaigns = list(Campaign.objects.for_hotel(hotel).select_related("holiday", "segment").order_by("name"))
    counts = {}
    for row in Delivery.objects.for_hotel(hotel).values("campaign_id", "status").annotate(n=Count("pk")):
        counts.setdefault(row["campaign_id"], {})[row["status"]] = row["n"]
    for campaign in campaigns:
        campaign.by_status = counts.get(campaign.pk, {})
    return campaigns


def campaign_get(*, hotel, campaign_id):
    return Campaign.objects.for_hotel(hotel).select_related("holiday", "segment").filter(pk=campaign_id).first()


def campaign_templates(*, campaign):
    return {t.language: t for t in MessageTemplate.objects.for_org(campaign.organization_id).filter(campaign=campaign)}


def campaign_audience_preview(*, campaign, day=None):
    """How many guests the campaign would greet on `day` (today at the hotel by default)."""
    day = day or timezone.localdate(timezone=campaign.hotel.tz)
    rule = CareSettings.objects.for_hotel(campaign.hotel).first() or CareSettings()
    holidays = holidays_on(list(Holiday.objects.for_org(campaign.organization_id)), day) if campaign.holiday_id else []
    if campaign.kind == "holiday" and campaign.holiday_id:
        # The preview of a holiday greeting counts the guests on the holiday itself.
        found = campaign.holiday.date_in(day.year)
        if found and found >= day:
            day, holidays = found, [campaign.holiday]
    if campaign.kind == "one_off" and campaign.scheduled_on:
        day = campaign.scheduled_on
    return day, audience_count(campaign, day, cap_days=rule.frequency_cap_days, now=timezone.now(), holidays=holidays)


def holiday_calendar(*, organization, year):
    rows = []
    for holiday in Holiday.objects.for_org(organization).order_by("name"):
        rows.append((holiday.date_in(year), holiday))
    return sorted(rows, key=lambda pair: (pair[0] is None, pair[0] or datetime.date.max, pair[1].name))


def holiday_get(*, organization, holiday_id):
    return Holiday.objects.for_org(organization).filter(pk=holiday_id).first()


def segments(*, organization):
    return Segment.objects.for_org(organization).order_by("name")


def delivery_log(*, hotel, status=None, channel=None, campaign_id=None, day=None):
    rows = Delivery.objects.for_hotel(hotel).select_related("campaign", "guest").order_by("-created_at", "-id")
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if campaign_id:
        rows = rows.filter(campaign_id=campaign_id)
    if day:
        rows = rows.filter(occasion_on=day)
    return rows


def run_progress(*, hotel, limit=10):
    """The hotel's latest runs with their message counts by status (two queries)."""
    runs = list(JobRun.objects.for_hotel(hotel).order_by("-local_date", "-id")[:limit])
    counts = {}
    for row in (
        Delivery.objects.for_hotel(hotel)
        .filter(run_id__in=[r.pk for r in runs])
        .values("run_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(row["run_id"], {})[row["status"]] = row["n"]
    for run in runs:
        by_status = counts.get(run.pk, {})
        run.by_status = by_status
        total = sum(by_status.values())
        run.total = total
        run.percent = int(100 * (total - by_status.get(DeliveryStatus.QUEUED, 0)) / total) if total else 100
    return runs


def call_tasks(*, hotel, show="open", user=None):
    rows = CallTask.objects.for_hotel(hotel).select_related("guest", "campaign", "assigned_to", "survey")
    if show == "open":
        rows = rows.filter(status=CallTaskStatus.OPEN)
    elif show == "mine" and user is not None:
        rows = rows.filter(status=CallTaskStatus.OPEN, assigned_to=user)
    elif show == "done":
        rows = rows.exclude(status=CallTaskStatus.OPEN).order_by("-completed_at")
    return rows


def call_task_get(*, hotel, task_id):
    return (
        CallTask.objects.for_hotel(hotel)
        .select_related("guest", "campaign", "survey", "assigned_to")
        .filter(pk=task_id)
        .first()
    )


def guest_recent_stays(*, guest, limit=5):
    return list(
        Stay.objects.for_org(guest.organization_id)
        .filter(guest=guest)
        .select_related("hotel")
        .order_by("-arrival_on")[:limit]
    )


def survey_summary(*, hotel):
    responses = SurveyResponse.objects.for_hotel(hotel)
    stats = responses.aggregate(
        n=Count("pk"),
        csat=Avg("csat"),
        promoters=Count("pk", filter=Q(nps__gte=9)),
        detractors=Count("pk", filter=Q(nps__lte=6)),
    )
    stats["nps_score"] = round(100 * (stats["promoters"] - stats["detractors"]) / stats["n"]) if stats["n"] else None
    by_csat = {row["csat"]: row["n"] for row in responses.values("csat").annotate(n=Count("pk"))}
    top = max(by_csat.values(), default=0)
    bars = []
    for score in range(1, 6):
        height = int(100 * by_csat.get(score, 0) / top) if top else 0
        bars.append(
            {"score": score, "count": by_csat.get(score, 0), "x": (score - 1) * 60, "y": 105 - height, "height": height}
        )
    stats["bars"] = bars
    recent = responses.select_related("guest").order_by("-created_at")[:30]
    return stats, recent


def churn_watch_list(*, organization, show="mine", user=None, today=None, new_days=7, hotel=None):
    """Guests on the churn watch list, riskiest first. show: mine (their relationship owner is
    `user`), new (joined in the last `new_days` days) or all; `hotel`: only guests who stayed there."""
    rows = (
        ChurnScore.objects.for_org(organization)
        .filter(on_watch=True)
        .select_related("guest", "guest__relationship_owner")
    )
    if hotel is not None:
        rows = rows.filter(Exists(Stay.objects.for_hotel(hotel).filter(guest_id=OuterRef("guest_id"))))
    if show == "mine":
        rows = rows.filter(guest__relationship_owner_id=getattr(user, "pk", None))
    elif show == "new":
        today = today or timezone.localdate()
        rows = rows.filter(watch_since__gte=today - datetime.timedelta(days=new_days))
    return rows.order_by("-score", "guest_id")


def churn_runs(*, organization, limit=14):
    """The latest nightly scorings, newest first: the list's size and movement."""
    return list(ChurnRun.objects.for_org(organization).order_by("-local_date")[:limit])
