"""The dashboard's churn section: the watch list's size, newcomers and reasons for the hotel or
the group, counted from the raw watch-list rows, drillable to the care watch list."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from care.models import ChurnRun, ChurnScore
from hotelcrm.models import Role
from reports.selectors import Scope, churn_section
from tests.factories import GuestFactory, StayFactory

pytestmark = pytest.mark.django_db


def _watched(tenant, hotel, name, reasons, *, since_days=30, on_watch=True):
    guest = GuestFactory(organization=tenant.organization, family_name=name)
    StayFactory(
        hotel=hotel,
        organization=tenant.organization,
        guest=guest,
        status="checked_out",
        arrival_on=datetime.date(2025, 1, 1),
        departure_on=datetime.date(2025, 1, 3),
    )
    today = timezone.localdate()
    return ChurnScore.objects.create(
        organization=tenant.organization,
        guest=guest,
        score=70 if on_watch else 20,
        on_watch=on_watch,
        computed_on=today,
        reasons=[[code, {}] for code in reasons],
        watch_since=today - datetime.timedelta(days=since_days) if on_watch else None,
    )


@pytest.fixture
def watch(tenants):
    a = tenants.a
    ChurnScore.objects.for_org(a.organization).delete()  # the fixture's own row: start from a known list
    ChurnRun.objects.for_org(a.organization).delete()
    first, second = a.hotels
    rows = [
        _watched(a, first, "FirstOld", ["overdue", "fewer_stays"]),
        _watched(a, first, "FirstNew", ["open_complaint"], since_days=2),
        _watched(a, second, "SecondNew", ["overdue", "high_value"], since_days=0),
        _watched(a, second, "SecondCalm", ["overdue"], on_watch=False),
    ]
    today = timezone.localdate()
    for days, size in ((2, 1), (1, 2), (0, 3)):
        ChurnRun.objects.create(
            organization=a.organization,
            local_date=today - datetime.timedelta(days=days),
            scored=10,
            on_watch=size,
            entered=1,
            left=days,
        )
    return rows


def _expected(tenant, hotel_ids):
    today = timezone.localdate()
    rows = [
        row
        for row in ChurnScore.objects.for_org(tenant.organization).filter(on_watch=True)
        if hotel_ids is None or set(row.guest.stays.values_list("hotel_id", flat=True)) & hotel_ids
    ]
    reasons = {}
    for row in rows:
        for code, _params in row.reasons:
            reasons[code] = reasons.get(code, 0) + 1
    return len(rows), sum(1 for r in rows if r.watch_since >= today - datetime.timedelta(days=7)), reasons


@pytest.mark.parametrize("is_group", [False, True])
def test_the_section_counts_what_the_watch_list_holds(tenants, watch, is_group):
    a = tenants.a
    hotels = a.hotels if is_group else a.hotels[:1]
    section = churn_section(scope=Scope(a.organization, hotels, is_group, hotels[0]), end=timezone.localdate())
    size, joined, reasons = _expected(a, None if is_group else {h.pk for h in hotels})
    assert (section["size"], section["joined"]) == (size, joined) == ((3, 2) if is_group else (2, 1))
    labels = {
        "overdue": "Overdue for a stay",
        "fewer_stays": "Fewer stays than the year before",
        "open_complaint": "Open complaint",
        "high_value": "High-value guest",
    }
    with translation.override("en"):  # the labels are lazy: read them in the language the test expects
        assert {str(label): n for label, n in section["reasons"]} == {labels[code]: n for code, n in reasons.items()}
    if is_group:
        assert [point["on_watch"] for point in section["trend"]] == [1, 2, 3] and section["latest"].left == 0
    else:
        assert section["trend"] == [] and section["latest"] is None  # the group's nightly movement is for group admins


def test_the_dashboard_shows_it_and_the_numbers_open_the_rows_behind_them(client, tenants, watch):
    a = tenants.a
    client.force_login(a.users[Role.MANAGER])
    body = client.get(reverse("reports:dashboard")).content.decode()
    size = re.search(r'id="fig-churn-size" href="([^"]+)">(\d+)<', body)
    joined = re.search(r'id="fig-churn-joined" href="([^"]+)">(\d+)<', body)
    assert size.group(2) == "2" and joined.group(2) == "1"
    listed = client.get(size.group(1).replace("&amp;", "&")).content.decode()
    assert "FirstOld" in listed and "FirstNew" in listed and "SecondNew" not in listed
    newcomers = client.get(joined.group(1).replace("&amp;", "&")).content.decode()
    assert "FirstNew" in newcomers and "FirstOld" not in newcomers

    client.force_login(a.users[Role.GROUP_ADMIN])
    group = client.get(reverse("reports:dashboard"), {"group": "1"}).content.decode()
    assert re.search(r'id="fig-churn-size" href="[^"]+">3<', group)
    assert "Watch-list size by night" in group

    export = client.get(reverse("reports:dashboard"), {"group": "1", "format": "csv"}).content.decode("utf-8-sig")
    assert (
        "Churn watch list" in export
        and "Regulars on the watch list now,3" in export
        and "Overdue for a stay,2" in export
    )

    # Another organization's list never counts.
    client.force_login(tenants.b.users[Role.MANAGER])
    other = client.get(reverse("reports:dashboard")).content.decode()
    assert not re.search(r'id="fig-churn-size" href="[^"]+">[23]<', other)
