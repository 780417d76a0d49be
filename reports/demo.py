"""Demo figures: the rollups over the whole demo history and the RFM scores, built as the last
step of `seed_demo`, so every dashboard section has data on the first page view and every figure
agrees with its drill-down for any period (the nightly refresh covers only its recent window)."""

import datetime

from django.db.models import Max, Min

from guests.models import Stay
from reports import services

# Complaints and loyalty points of the demo go back a year; stays further (guests.demo_rows).
MIN_HISTORY_DAYS = 366


def demo_history_range(*, organization, hotels, now):
    """Local days from the first to the last day any demo row of the organization falls on."""
    local_days = [now.astimezone(hotel.tz).date() for hotel in hotels]
    bounds = Stay.objects.for_org(organization).aggregate(first=Min("arrival_on"), last=Max("arrival_on"))
    start = min(local_days) - datetime.timedelta(days=MIN_HISTORY_DAYS)
    end = max(local_days)
    if bounds["first"] is not None:
        start, end = min(start, bounds["first"]), max(end, bounds["last"])
    return start, end


def demo_step(run):
    """The reports' step of `hotelcrm.demo.demo_seed` (registered in ReportsConfig.ready): runs last."""
    for _spec, organization, hotels in run.tenants:
        if not hotels:
            continue
        start, end = demo_history_range(organization=organization, hotels=hotels, now=run.now)
        # Scored as of yesterday, as the nightly refresh does.
        as_of = run.now.astimezone(hotels[0].tz).date() - datetime.timedelta(days=1)
        services.rollups_rebuild(organization=organization, hotels=hotels, start=start, end=end, as_of=as_of)
