"""Complaint medians, root causes and satisfaction with handling against the raw complaints."""

import datetime
from collections import Counter

import pytest
from django.urls import reverse

from hotelcrm.models import Role
from reports import services
from reports.rollups import duration_bucket, root_cause_key
from reports.selectors import Scope, complaint_section
from tests.reports.data import END, START, expected_complaints, generate_complaints, lower_median

WIDE = (START - datetime.timedelta(days=120), END + datetime.timedelta(days=40))
NOW = datetime.datetime(2026, 4, 20, tzinfo=datetime.UTC)


@pytest.fixture
def generated(tenants):
    generate_complaints(tenants.a, seed=3)
    generate_complaints(tenants.b, seed=4)
    for tenant in (tenants.a, tenants.b):
        services.rollups_rebuild(
            organization=tenant.organization, hotels=tenant.hotels, start=WIDE[0], end=WIDE[1], with_rfm=False
        )
    return tenants


def _minutes(later, earlier):
    return int((later - earlier).total_seconds() // 60)


@pytest.mark.parametrize("is_group", [False, True])
def test_medians_root_causes_and_ratings_equal_the_raw_complaints(generated, is_group):
    tenant = generated.a
    hotels = tenant.hotels if is_group else tenant.hotels[:1]
    section = complaint_section(
        scope=Scope(tenant.organization, hotels, is_group, hotels[0]), start=START, end=END, now=NOW
    )
    rows = expected_complaints(tenant.organization, hotels, START, END)
    assert len(rows) > 20
    assert section["totals"]["received"] == len(rows)
    ack = lower_median([_minutes(c.acknowledged_at, c.received_at) for c in rows if c.acknowledged_at])
    resolve = lower_median([_minutes(c.resolved_at, c.received_at) for c in rows if c.resolved_at])
    assert section["totals"]["acknowledge_median_minutes"] == duration_bucket(ack)
    assert ack - section["totals"]["acknowledge_median_minutes"] < 5  # acknowledging takes under 5 hours here
    assert section["totals"]["resolve_median_hours"] == round(duration_bucket(resolve) / 60, 1)
    causes = Counter(root_cause_key(c.root_cause) for c in rows if root_cause_key(c.root_cause))
    assert causes["broken air conditioner"] >= 2  # two spellings, one cause
    assert {r["value"]: r["received"] for r in section["by_dimension"]["root_cause"]} == dict(causes)
    assert [r["received"] for r in section["top_root_causes"]] == sorted(causes.values(), reverse=True)[:10]
    ratings = Counter(str(c.satisfaction) if c.satisfaction else "" for c in rows)
    assert {r["value"]: r["received"] for r in section["by_dimension"]["satisfaction"]} == dict(ratings)
    rated = [c.satisfaction for c in rows if c.satisfaction]
    assert section["totals"]["satisfaction_avg"] == round(sum(rated) / len(rated), 2)
    reopened = sum(1 for c in rows if c.reopen_count)
    assert section["totals"]["reopen_rate"] == round(100 * reopened / len(rows), 1)
    resolved = [c for c in rows if c.resolved_at]
    on_time = sum(1 for c in resolved if c.resolved_at <= c.resolve_due_at)
    assert section["totals"]["sla_rate"] == round(100 * on_time / len(resolved), 1)


def test_the_previous_period_has_its_own_medians(generated):
    tenant = generated.a
    section = complaint_section(
        scope=Scope(tenant.organization, tenant.hotels, True, tenant.hotels[0]), start=START, end=END, now=NOW
    )
    prev = expected_complaints(
        tenant.organization, tenant.hotels, START - datetime.timedelta(days=31), START - datetime.timedelta(days=1)
    )
    ack = lower_median([_minutes(c.acknowledged_at, c.received_at) for c in prev if c.acknowledged_at])
    assert section["previous"]["received"] == len(prev)
    assert section["previous"]["acknowledge_median_minutes"] == duration_bucket(ack)


def test_the_last_local_minute_of_the_period_counts_and_the_next_does_not(generated):
    tenant = generated.a
    shanghai = tenant.hotels[0]
    section = complaint_section(
        scope=Scope(tenant.organization, [shanghai], False, shanghai), start=END, end=END, now=NOW
    )
    # 23:30 in Shanghai on END is 15:30 UTC; 00:10 on the next day (16:10 UTC) belongs to the next day.
    assert section["totals"]["received"] == len(expected_complaints(tenant.organization, [shanghai], END, END))
    assert any(
        c.received_at.astimezone(shanghai.tz).time() == datetime.time(23, 30)
        for c in expected_complaints(tenant.organization, [shanghai], END, END)
    )


@pytest.mark.django_db
def test_bucket_edges_are_the_same_in_sql_and_python():
    from django.db import connection

    from reports.rollups import DURATION_BUCKET_SQL

    minutes = (0, 59, 60, 64, 239, 240, 254, 1439, 1440, 1499, 10079, 10080, 12000)
    assert [duration_bucket(m) for m in minutes] == [
        0,
        59,
        60,
        60,
        235,
        240,
        240,
        1425,
        1440,
        1440,
        10020,
        10080,
        11520,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + DURATION_BUCKET_SQL.format(m="m")
            + " FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(m, i) ORDER BY i",
            [list(minutes)],
        )
        assert [row[0] for row in cursor.fetchall()] == [duration_bucket(m) for m in minutes]
    assert duration_bucket(None) is None
    assert root_cause_key("  Broken \n AIR  conditioner") == "broken air conditioner" and root_cause_key("  ") is None


def test_each_root_cause_and_rating_drills_to_exactly_its_complaints(client, generated):
    tenant = generated.a
    client.force_login(tenant.users[Role.GROUP_ADMIN])
    params = {"start": str(START), "end": str(END), "group": "1"}
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    html = response.content.decode()
    section = response.context["summary"]["complaints"]
    assert f'id="fig-ack-median">{section["totals"]["acknowledge_median_minutes"]}<' in html
    assert 'id="breakdown-root-causes"' in html and "dimension=root_cause&amp;value=broken%20air%20conditioner" in html
    for dimension in ("root_cause", "satisfaction"):
        for row in section["by_dimension"][dimension]:
            drill = client.get(reverse("reports:complaints"), {**params, "dimension": dimension, "value": row["value"]})
            assert drill.status_code == 200
            assert drill.context["page"].paginator.count == row["received"], (dimension, row["value"])
            assert {c.organization_id for c in drill.context["page"]} <= {tenant.organization.pk}


def test_a_manager_sees_only_their_hotel_and_never_another_organization(client, generated):
    a = generated.a
    client.force_login(a.users[Role.MANAGER])
    response = client.get(reverse("reports:dashboard"), {"start": str(START), "end": str(END), "group": "1"})
    section = response.context["summary"]["complaints"]
    assert section["totals"]["received"] == len(expected_complaints(a.organization, a.hotels[:1], START, END))
    drill = client.get(
        reverse("reports:complaints"), {"start": str(START), "end": str(END), "dimension": "satisfaction", "value": "5"}
    )
    assert {c.hotel_id for c in drill.context["page"]} <= {a.hotels[0].pk}


def test_the_export_carries_the_medians_and_the_root_causes(client, generated):
    tenant = generated.a
    client.force_login(tenant.users[Role.MANAGER])
    params = {"start": str(START), "end": str(END)}
    section = client.get(reverse("reports:dashboard"), params).context["summary"]["complaints"]
    content = client.get(reverse("reports:dashboard"), {**params, "format": "csv"}).content.decode()
    assert f"Median minutes to acknowledge,{section['totals']['acknowledge_median_minutes']}," in content
    assert "Root cause\r\n" in content and "broken air conditioner," in content


def test_rollups_still_agree_with_the_raw_rows(generated):
    tenant = generated.a
    assert not services.rollups_check(
        organization=tenant.organization, hotels=tenant.hotels, start=WIDE[0], end=WIDE[1]
    )
