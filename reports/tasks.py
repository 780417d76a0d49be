"""Nightly rollup refresh and the emailed summaries. Tasks take ids, load through the door, call one service."""

import datetime

from celery import shared_task
from django.utils import timezone

from hotelcrm.models import Hotel
from hotelcrm.selectors import hotel_get_for_task
from reports import services
from reports.models import ReportSubscription, RollupDirtyDay, RollupRun

# A hotel's day is refreshed once its local clock has passed this hour, so yesterday is complete.
REFRESH_AFTER_HOUR = 1


@shared_task(name="reports.tasks.dispatch_report_jobs_task")
def dispatch_report_jobs_task(now=None):
    """Beat tick: fan out each hotel's due rollup refresh and each due subscription, in local time."""
    now = datetime.datetime.fromisoformat(now) if now else timezone.now()
    hotels = list(Hotel.objects.all_tenants_unscoped().order_by("organization_id", "pk"))
    done = set(
        RollupRun.objects.all_tenants_unscoped()
        .filter(finished_at__isnull=False, local_date__gte=(now - datetime.timedelta(days=2)).date())
        .values_list("hotel_id", "local_date")
    )
    queued = 0
    for hotel in hotels:
        local = timezone.localtime(now, hotel.tz)
        if local.hour >= REFRESH_AFTER_HOUR and (hotel.pk, local.date()) not in done:
            refresh_hotel_rollups_task.delay(hotel.organization_id, hotel.pk, local.date().isoformat())
            queued += 1
    subscriptions = ReportSubscription.objects.all_tenants_unscoped().filter(is_active=True).select_related("hotel")
    for subscription in subscriptions:
        local_today = timezone.localtime(now, subscription.hotel.tz).date()
        if services.subscription_period(subscription.frequency, local_today) is not None:
            period_end = local_today - datetime.timedelta(days=1)
            if subscription.last_period_end_on is None or subscription.last_period_end_on < period_end:
                send_report_subscription_task.delay(
                    subscription.organization_id, subscription.pk, local_today.isoformat()
                )
                queued += 1
    return queued


@shared_task(name="reports.tasks.dispatch_dirty_rollups_task")
def dispatch_dirty_rollups_task():
    """Beat tick (every few minutes): each organization with days marked by a write gets them recomputed."""
    organization_ids = (
        RollupDirtyDay.objects.all_tenants_unscoped().values_list("organization_id", flat=True).distinct()
    )
    queued = 0
    for organization_id in organization_ids:
        refresh_dirty_rollups_task.delay(organization_id)
        queued += 1
    return queued


@shared_task(name="reports.tasks.refresh_dirty_rollups_task", acks_late=True)
def refresh_dirty_rollups_task(organization_id):
    # A gone organization has no hotels and no marks: nothing to do.
    return services.rollups_refresh_dirty(organization=organization_id)


@shared_task(name="reports.tasks.refresh_hotel_rollups_task", acks_late=True)
def refresh_hotel_rollups_task(organization_id, hotel_id, local_date):
    hotel = hotel_get_for_task(organization_id=organization_id, hotel_id=hotel_id)
    if hotel is None:
        return False
    day = datetime.date.fromisoformat(local_date)
    refreshed = services.rollup_refresh_hotel(hotel=hotel, local_date=day)
    # Scores are organization-wide: the organization's first hotel refreshes them for everyone.
    first = Hotel.objects.for_org(organization_id).order_by("pk").values_list("pk", flat=True).first()
    if refreshed and first == hotel.pk:
        services.rfm_refresh(organization=hotel.organization, as_of=day - datetime.timedelta(days=1))
    return refreshed


@shared_task(name="reports.tasks.send_report_subscription_task", acks_late=True)
def send_report_subscription_task(organization_id, subscription_id, local_date):
    subscription = (
        ReportSubscription.objects.for_org(organization_id)
        .filter(pk=subscription_id)
        .select_related("hotel", "hotel__organization", "user", "organization")
        .first()
    )
    if subscription is None:
        return False
    return services.subscription_send(subscription=subscription, local_today=datetime.date.fromisoformat(local_date))
