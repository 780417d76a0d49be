import datetime

from care.models import (
    CallTask,
    Campaign,
    CampaignKind,
    CareSettings,
    Channel,
    ChurnRun,
    ChurnScore,
    Delivery,
    Holiday,
    HomeGuests,
    JobRun,
    MessageTemplate,
    Segment,
    SurveyResponse,
    Unsubscribe,
)
from hotelcrm.models import Role


def fill(tenant, label):
    org, hotel = tenant.organization, tenant.hotels[0]
    guest = tenant.guests[0]
    CareSettings.objects.create(organization=org, hotel=hotel)
    holiday = Holiday.objects.create(organization=org, name=f"{label} Mid-Autumn", calendar="lunar", month=8, day=15)
    segment = Segment.objects.create(organization=org, name=f"{label} VIPs", filters={"min_vip_level": 1})
    campaign = Campaign.objects.create(
        organization=org, hotel=hotel, name=f"{label} birthday", kind=CampaignKind.BIRTHDAY, channel=Channel.EMAIL
    )
    Campaign.objects.create(
        organization=org,
        hotel=hotel,
        name=f"{label} festival",
        kind=CampaignKind.HOLIDAY,
        holiday=holiday,
        is_active=False,
    )
    Campaign.objects.create(
        organization=org,
        hotel=hotel,
        name=f"{label} one-off",
        kind=CampaignKind.ONE_OFF,
        segment=segment,
        scheduled_on=datetime.date(2030, 1, 1),
        is_active=False,
    )
    MessageTemplate.objects.create(
        organization=org, campaign=campaign, language="en", subject="Hi", body="Dear {{ guest_name }}"
    )
    run = JobRun.objects.create(
        organization=org, hotel=hotel, job="care.daily", local_date=datetime.date(2026, 1, 1), status="done"
    )
    delivery = Delivery.objects.create(
        organization=org,
        hotel=hotel,
        campaign=campaign,
        guest=guest,
        occasion_on=datetime.date(2026, 1, 1),
        run=run,
        channel=Channel.EMAIL,
        status="sent",
        language="en",
    )
    survey = SurveyResponse.objects.create(organization=org, hotel=hotel, delivery=delivery, guest=guest, csat=2, nps=3)
    CallTask.objects.create(
        organization=org,
        hotel=hotel,
        guest=guest,
        reason="low_score",
        survey=survey,
        due_on=datetime.date(2026, 1, 2),
        assigned_to=tenant.users[Role.MANAGER],
    )
    Unsubscribe.objects.create(organization=org, guest=guest, channel=Channel.EMAIL, delivery=delivery)
    ChurnScore.objects.create(
        organization=org,
        guest=guest,
        score=80,
        on_watch=True,
        computed_on=datetime.date(2026, 1, 1),
        watch_since=datetime.date(2026, 1, 1),
        reasons=[["open_complaint", {"count": 1}]],
    )
    ChurnRun.objects.create(organization=org, local_date=datetime.date(2026, 1, 1), scored=1, on_watch=1, entered=1)
    HomeGuests.objects.create(organization=org, hotel=hotel, local_date=datetime.date(2026, 1, 1), guest_ids=[guest.pk])
