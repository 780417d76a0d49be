"""Complaint figures by the hotel's local day, and the emailed summary through a real SMTP server."""

import datetime

from django.utils import timezone

from complaints.models import Complaint
from hotelcrm.models import Role
from reports import services
from reports.models import ReportSubscription
from reports.selectors import Scope, complaint_section

UTC = datetime.UTC


def _complaint(tenant, hotel, received_at, **extra):
    return Complaint.objects.create(
        organization=tenant.organization,
        hotel=hotel,
        category=extra.pop("category", "service"),
        description="generated",
        received_at=received_at,
        acknowledge_due_at=received_at + datetime.timedelta(minutes=30),
        resolve_due_at=received_at + datetime.timedelta(hours=24),
        hard_due_at=received_at + datetime.timedelta(hours=48),
        **extra,
    )


def test_a_complaint_at_23_30_local_time_counts_on_that_local_day(tenants):
    shanghai = tenants.a.hotels[0]
    day = datetime.date(2026, 3, 10)
    # 23:30 in Shanghai on 10 March is 15:30 UTC; 00:30 on 11 March is 16:30 UTC.
    late = _complaint(
        tenants.a,
        shanghai,
        datetime.datetime(2026, 3, 10, 15, 30, tzinfo=UTC),
        acknowledged_at=datetime.datetime(2026, 3, 10, 15, 50, tzinfo=UTC),
        resolved_at=datetime.datetime(2026, 3, 11, 10, 0, tzinfo=UTC),
        satisfaction=4,
        status="resolved",
    )
    _complaint(tenants.a, shanghai, datetime.datetime(2026, 3, 10, 16, 30, tzinfo=UTC), category="hygiene")
    _complaint(
        tenants.a,
        shanghai,
        datetime.datetime(2026, 3, 9, 15, 59, tzinfo=UTC),
        category="facility",
        resolved_at=datetime.datetime(2026, 3, 12, 0, 0, tzinfo=UTC),
        status="resolved",
    )  # 23:59 on the 9th, late
    _complaint(tenants.b, tenants.b.hotels[0], datetime.datetime(2026, 3, 10, 15, 30, tzinfo=UTC))
    services.rollups_rebuild(
        organization=tenants.a.organization,
        hotels=tenants.a.hotels,
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 3, 31),
        with_rfm=False,
    )
    scope = Scope(tenants.a.organization, [shanghai], False, shanghai)
    on_the_day = complaint_section(scope=scope, start=day, end=day, now=datetime.datetime(2026, 3, 20, tzinfo=UTC))
    assert on_the_day["totals"]["received"] == 1
    assert on_the_day["totals"]["acknowledge_avg_minutes"] == 20
    assert on_the_day["totals"]["resolved"] == 1 and on_the_day["totals"]["sla_rate"] == 100.0
    assert on_the_day["totals"]["satisfaction_avg"] == 4
    assert [row["value"] for row in on_the_day["by_dimension"]["category"]] == ["service"]
    three_days = complaint_section(
        scope=scope,
        start=day - datetime.timedelta(days=1),
        end=day + datetime.timedelta(days=1),
        now=datetime.datetime(2026, 3, 20, tzinfo=UTC),
    )
    assert three_days["totals"]["received"] == 3
    assert three_days["totals"]["resolved"] == 2 and three_days["totals"]["sla_rate"] == 50.0
    assert three_days["live"] == {"open": 1, "breached": 1}
    assert late.pk  # the rows behind: the drill-down lists exactly these three
    assert not services.rollups_check(
        organization=tenants.a.organization,
        hotels=tenants.a.hotels,
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 3, 31),
    )


def test_a_weekly_subscription_is_emailed_once_per_period_through_smtp(tenants, smtp_server):
    manager = tenants.a.users[Role.MANAGER]
    manager.email = "manager@alpha.example"
    manager.save(update_fields=["email"])
    subscription = services.subscription_create(
        user=manager, hotel=tenants.a.hotels[0], frequency="weekly", is_group=False
    )
    subscription = (
        ReportSubscription.objects.for_org(tenants.a.organization)
        .select_related("hotel", "user", "organization")
        .get(pk=subscription.pk)
    )
    monday = datetime.date(2026, 3, 16)
    assert (
        services.subscription_send(subscription=subscription, local_today=monday - datetime.timedelta(days=1)) is False
    )
    assert services.subscription_send(subscription=subscription, local_today=monday) is True
    assert services.subscription_send(subscription=subscription, local_today=monday) is False  # the period is claimed
    assert smtp_server.wait_for(1)
    message = smtp_server.messages[0]
    assert message.rcpt_tos == ["manager@alpha.example"]
    body = message.content.decode("utf-8", "replace")
    assert "2026-03-09" in body and "2026-03-15" in body
    assert "问卷回答: 0" in body and "解决时长中位数（小时）: –" in body  # the organization writes in Chinese


def test_a_group_subscription_of_someone_no_longer_group_admin_sends_nothing(tenants, smtp_server):
    manager = tenants.a.users[Role.MANAGER]
    subscription = ReportSubscription.objects.create(
        organization=tenants.a.organization, hotel=tenants.a.hotels[0], user=manager, frequency="monthly", is_group=True
    )
    assert services.subscription_send(subscription=subscription, local_today=datetime.date(2026, 4, 1)) is False
    assert smtp_server.messages == []
    assert timezone.now()


def test_care_figures_equal_the_raw_deliveries_and_answers_of_the_organization(tenants):
    from care.models import Delivery, SurveyResponse
    from reports.selectors import care_section

    hotel = tenants.a.hotels[0]
    today = timezone.localdate(timezone=hotel.tz)
    start, end = today - datetime.timedelta(days=2), today + datetime.timedelta(days=1)
    services.rollups_rebuild(
        organization=tenants.a.organization, hotels=tenants.a.hotels, start=start, end=end, with_rfm=False
    )
    section = care_section(scope=Scope(tenants.a.organization, tenants.a.hotels, True, hotel), start=start, end=end)
    deliveries = list(Delivery.objects.for_org(tenants.a.organization))
    answers = list(SurveyResponse.objects.for_org(tenants.a.organization))
    assert deliveries, "the care tenant rows give tenant A at least one delivery"
    assert section["totals"]["deliveries"] == len(deliveries)
    assert section["totals"]["sent"] == sum(1 for d in deliveries if d.status == "sent")
    assert section["totals"]["responses"] == len(answers)
    assert section["totals"]["csat_sum"] == sum(a.csat for a in answers)
    assert not services.rollups_check(
        organization=tenants.a.organization, hotels=tenants.a.hotels, start=start, end=end
    )
