"""Demo data for guest care: the festival calendar, each hotel's campaigns and sending rules,
bilingual templates, a week of delivered greetings, survey answers and open call tasks."""

import datetime
import random

from care.models import (
    CallReason,
    CallTask,
    Campaign,
    CampaignKind,
    CareSettings,
    Channel,
    Delivery,
    DeliveryStatus,
    Holiday,
    HolidayCalendar,
    JobRun,
    MessageTemplate,
    RunStatus,
    Segment,
    SurveyResponse,
)
from care.occasions import GREGORIAN_HOLIDAYS, LUNAR_FESTIVALS
from guests.models import GuestProfile, Stay

TEMPLATES = {
    "en": (
        "Happy birthday from {{ hotel_name }}",
        "Dear {{ guest_name }},\n\nHappy birthday! A slice of cake is waiting for you at {{ hotel_name }} whenever you next visit.",
    ),
    "zh-hans": (
        "{{ hotel_name }}祝您生日快乐",
        "尊敬的{{ guest_name }}：\n\n祝您生日快乐！下次光临{{ hotel_name }}时，我们为您准备了生日蛋糕。",
    ),
}


def demo_seed_extras(tenants, *, seed, now):
    for spec, organization, hotels in tenants:
        rng = random.Random(f"{seed}:care:{spec.slug}")
        _seed_organization(organization, hotels, rng, now)


def _seed_organization(organization, hotels, rng, now):
    holidays = Holiday.objects.bulk_create(
        [
            Holiday(
                organization=organization,
                name=name,
                name_zh=name_zh,
                calendar=calendar,
                month=month,
                day=day,
                languages=languages,
            )
            for calendar, source in (
                (HolidayCalendar.LUNAR, LUNAR_FESTIVALS),
                (HolidayCalendar.GREGORIAN, GREGORIAN_HOLIDAYS),
            )
            for name, name_zh, month, day, languages in source
        ]
    )
    by_name = {h.name: h for h in holidays}
    segment = Segment.objects.create(organization=organization, name="VIP guests", filters={"min_vip_level": 1})
    guest_ids = list(GuestProfile.objects.for_org(organization).order_by("id").values_list("id", flat=True)[:400])
    for hotel in hotels:
        CareSettings.objects.create(organization=organization, hotel=hotel)
        created = Campaign.objects.bulk_create(
            [
                Campaign(organization=organization, hotel=hotel, name="Birthday greeting", kind=CampaignKind.BIRTHDAY),
                Campaign(
                    organization=organization,
                    hotel=hotel,
                    name="Mid-Autumn greeting",
                    kind=CampaignKind.HOLIDAY,
                    holiday=by_name["Mid-Autumn Festival"],
                ),
                Campaign(
                    organization=organization,
                    hotel=hotel,
                    name="Spring Festival greeting",
                    kind=CampaignKind.HOLIDAY,
                    holiday=by_name["Spring Festival"],
                    channel=Channel.SMS,
                ),
                Campaign(
                    organization=organization,
                    hotel=hotel,
                    name="Thank you and survey",
                    kind=CampaignKind.POST_STAY,
                    days_offset=1,
                ),
                Campaign(
                    organization=organization,
                    hotel=hotel,
                    name="Before you arrive",
                    kind=CampaignKind.PRE_ARRIVAL,
                    days_offset=3,
                ),
                Campaign(
                    organization=organization,
                    hotel=hotel,
                    name="Key account call",
                    kind=CampaignKind.REVISIT,
                    channel=Channel.CALL,
                    cadence_days=90,
                ),
                Campaign(
                    organization=organization,
                    hotel=hotel,
                    name="We miss you",
                    kind=CampaignKind.WIN_BACK,
                    days_offset=365,
                    min_stays=3,
                ),
                Campaign(
                    organization=organization,
                    hotel=hotel,
                    name="VIP wine dinner",
                    kind=CampaignKind.ONE_OFF,
                    segment=segment,
                    scheduled_on=(now + datetime.timedelta(days=14)).date(),
                    is_active=False,
                ),
            ]
        )
        birthday, thanks, revisit = created[0], created[3], created[5]
        MessageTemplate.objects.bulk_create(
            [
                MessageTemplate(
                    organization=organization, campaign=birthday, language=language, subject=subject, body=body
                )
                for language, (subject, body) in TEMPLATES.items()
            ]
        )
        if not guest_ids:
            continue
        today = now.astimezone(hotel.tz).date()
        deliveries, runs = [], []
        for days_ago in range(1, 8):
            day = today - datetime.timedelta(days=days_ago)
            runs.append(
                JobRun(
                    organization=organization,
                    hotel=hotel,
                    job="care.daily",
                    local_date=day,
                    status=RunStatus.DONE,
                    selected=0,
                    selected_at=now,
                    finished_at=now,
                )
            )
        JobRun.objects.bulk_create(runs)
        sample = rng.sample(guest_ids, min(60, len(guest_ids)))
        for index, guest_id in enumerate(sample):
            run = runs[index % len(runs)]
            campaign = thanks if index % 2 else birthday
            status = DeliveryStatus.SENT if index % 11 else DeliveryStatus.FAILED
            deliveries.append(
                Delivery(
                    organization=organization,
                    hotel=hotel,
                    campaign=campaign,
                    guest_id=guest_id,
                    occasion_on=run.local_date,
                    run=run,
                    channel=Channel.EMAIL,
                    is_marketing=campaign is birthday,
                    language=rng.choice(["en", "zh-hans"]),
                    status=status,
                    attempts=1 if status == DeliveryStatus.SENT else 5,
                    last_error="" if status == DeliveryStatus.SENT else "Connection refused",
                    sent_at=now if status == DeliveryStatus.SENT else None,
                )
            )
        Delivery.objects.bulk_create(deliveries)
        for run in runs:
            run.selected = sum(1 for d in deliveries if d.run is run)
        JobRun.objects.bulk_update(runs, ["selected"])
        answered = [d for d in deliveries if d.campaign is thanks and d.status == DeliveryStatus.SENT][:20]
        responses = SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    organization=organization,
                    hotel=hotel,
                    delivery=d,
                    guest_id=d.guest_id,
                    csat=rng.choice([2, 4, 4, 5, 5, 5]),
                    nps=rng.choice([5, 8, 9, 9, 10, 10]),
                    comment=rng.choice(["", "Lovely staff", "Room was noisy", "房间很干净", "早餐很好"]),
                )
                for d in answered
            ]
        )
        tasks = [
            CallTask(
                organization=organization,
                hotel=hotel,
                guest_id=r.guest_id,
                reason=CallReason.LOW_SCORE,
                survey=r,
                due_on=today,
            )
            for r in responses
            if r.is_low
        ]
        key_accounts = list(Stay.objects.for_hotel(hotel).values_list("guest_id", flat=True).distinct()[:5])
        tasks += [
            CallTask(
                organization=organization,
                hotel=hotel,
                guest_id=guest_id,
                reason=CallReason.CAMPAIGN,
                campaign=revisit,
                due_on=today,
            )
            for guest_id in key_accounts
        ]
        CallTask.objects.bulk_create(tasks)


def demo_step(run):
    """This app's step of `hotelcrm.demo.demo_seed` (registered in its AppConfig.ready)."""
    demo_seed_extras(run.tenants, seed=run.seed, now=run.now)


def demo_churn_step(run):
    """Tonight's churn scoring, done now, so the watch list is not empty on the first visit; it
    runs after every domain's demo data (open complaints and low ratings are reasons)."""
    from care.churn import churn_scores_refresh

    for _spec, organization, _hotels in run.tenants:
        churn_scores_refresh(organization_id=organization.pk)
