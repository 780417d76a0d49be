"""One row of every reports table for a test tenant (the isolation tests need B's ids)."""

import datetime

from hotelcrm.models import Role


def fill(tenant, label):
    from reports import services
    from reports.models import (
        CareDailyRollup,
        ComplaintDailyRollup,
        LoyaltyDailyRollup,
        ReportSubscription,
        RollupRun,
        SurveyDailyRollup,
        TierCount,
    )

    organization, hotel = tenant.organization, tenant.hotels[0]
    days = [stay.arrival_on for stay in tenant.stays]
    services.rollups_rebuild(
        organization=organization,
        hotels=tenant.hotels,
        start=min(days),
        end=max(days),
        as_of=max(s.departure_on for s in tenant.stays),
    )
    day = datetime.date(2026, 1, 1)
    ComplaintDailyRollup.objects.get_or_create(
        organization=organization, hotel=hotel, day=day, dimension="total", value=""
    )
    LoyaltyDailyRollup.objects.get_or_create(organization=organization, hotel=hotel, day=day, kind="earn")
    CareDailyRollup.objects.get_or_create(
        organization=organization, hotel=hotel, day=day, campaign_id_value=0, channel="email"
    )
    SurveyDailyRollup.objects.get_or_create(organization=organization, hotel=hotel, day=day, csat=3, nps=7)
    RollupRun.objects.create(organization=organization, hotel=hotel, local_date=day)
    TierCount.objects.get_or_create(
        organization=organization,
        tier_code=f"{label.lower()}-tier",
        tier_name=f"{label} Tier",
        tier_rank=9,
        as_of=day,
        members=1,
    )
    ReportSubscription.objects.create(
        organization=organization, hotel=hotel, user=tenant.users[Role.MANAGER], frequency="weekly"
    )
