"""Points issued, redeemed and expired on the dashboard against the raw ledger, and the rows behind them."""
import datetime
import random
from collections import defaultdict

import pytest
from django.urls import reverse

from hotelcrm.models import Role
from loyalty import services as loyalty
from loyalty.models import LedgerEntry
from reports import services as report_services
from reports.selectors import Scope, loyalty_section
from tests.factories import GuestFactory
from tests.reports.data import END, START, _at

KINDS = {"earn": "issued", "redeem": "redeemed", "expire": "expired"}


def _generate(tenant, seed):
    """Entries of each kind at both hotels and of no hotel, at local times around the period's edges."""
    rng = random.Random(seed)
    desk = tenant.users[Role.FRONT_DESK]
    members = [loyalty.membership_enrol(guest=GuestFactory(organization=tenant.organization), actor=desk, hotel=tenant.hotels[0])
               for _ in range(3)]
    moments = []
    for i in range(60):
        hotel = rng.choice([*tenant.hotels, None])
        day = START - datetime.timedelta(days=5) + datetime.timedelta(days=rng.randrange(0, 42))
        moments.append((hotel, day, rng.choice([0, 12, 23])))
    for hotel in tenant.hotels:  # 23:30 local on the last day counts; 00:05 after it does not
        moments += [(hotel, END, 23), (hotel, END + datetime.timedelta(days=1), 0)]
    for i, (hotel, day, hour) in enumerate(moments):
        kind = rng.choice(list(KINDS))
        points = rng.randint(10, 500) * (1 if kind == "earn" else -1)
        at = (_at(hotel, day, hour, 30 if hour else 5) if hotel else
              datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=datetime.timezone.utc))
        LedgerEntry.objects.create(organization=tenant.organization, membership=rng.choice(members), hotel=hotel, kind=kind,
                                   points=points, source_type="adjustment", idempotency_key=f"fig-{seed}-{i}", created_at=at)


def _expected(tenant, hotels, is_group):
    """Sum per kind of the entries whose local day (their hotel's; UTC for no hotel) falls in the period."""
    sums, ids = defaultdict(int), defaultdict(set)
    for entry in LedgerEntry.objects.for_org(tenant.organization).select_related("hotel"):
        if entry.hotel_id is None and not is_group:
            continue
        if entry.hotel_id is not None and entry.hotel_id not in {h.pk for h in hotels}:
            continue
        tz = entry.hotel.tz if entry.hotel else datetime.timezone.utc
        if START <= entry.created_at.astimezone(tz).date() <= END and entry.kind in KINDS:
            sums[entry.kind] += abs(entry.points)
            ids[entry.kind].add(entry.pk)
    return sums, ids


@pytest.fixture
def ledger(tenants):
    _generate(tenants.a, seed=5)
    _generate(tenants.b, seed=6)
    for tenant in (tenants.a, tenants.b):
        report_services.rollups_rebuild(organization=tenant.organization, hotels=tenant.hotels,
                                        start=START - datetime.timedelta(days=40), end=END + datetime.timedelta(days=40))
    return tenants


@pytest.mark.parametrize("is_group", [False, True])
def test_points_figures_equal_the_raw_ledger_and_the_drill_lists_exactly_those_entries(client, ledger, is_group):
    a = ledger.a
    hotels = a.hotels if is_group else a.hotels[:1]
    sums, ids = _expected(a, hotels, is_group)
    assert all(sums[kind] for kind in KINDS)
    section = loyalty_section(scope=Scope(a.organization, hotels, is_group, hotels[0]), start=START, end=END)
    assert {KINDS[kind]: section[KINDS[kind]] for kind in KINDS} == {KINDS[kind]: sums[kind] for kind in KINDS}

    client.force_login(a.users[Role.GROUP_ADMIN if is_group else Role.MANAGER])
    params = {"start": str(START), "end": str(END), **({"group": "1"} if is_group else {})}
    page = client.get(reverse("reports:dashboard"), params).content.decode()
    assert f"{reverse('reports:ledger-entries')}?start={START}&amp;end={END}" in page
    for kind in KINDS:
        response = client.get(reverse("reports:ledger-entries"), {**params, "kind": kind})
        assert response.status_code == 200
        listed = set(response.context["page"].paginator.object_list.values_list("pk", flat=True))
        assert listed == ids[kind]
        assert "Bravo" not in response.content.decode()


def test_the_drill_refuses_a_bad_kind_clearly_and_front_desk_entirely(client, ledger):
    a = ledger.a
    client.force_login(a.users[Role.MANAGER])
    response = client.get(reverse("reports:ledger-entries"), {"start": str(START), "end": str(END), "kind": "steal"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    client.force_login(a.users[Role.FRONT_DESK])
    assert client.get(reverse("reports:ledger-entries"), {"kind": "earn"}).status_code in (403, 404)


def test_the_export_of_the_rows_is_audited(client, ledger):
    from hotelcrm.models import AuditEvent

    a = ledger.a
    client.force_login(a.users[Role.MANAGER])
    before = AuditEvent.objects.for_org(a.organization).count()
    response = client.get(reverse("reports:ledger-entries"), {"start": str(START), "end": str(END), "kind": "earn", "format": "csv"})
    assert response.status_code == 200
    assert AuditEvent.objects.for_org(a.organization).count() == before + 1


def test_members_per_tier_open_the_member_list_of_that_tier(client, tenants):
    a = tenants.a
    report_services.rfm_refresh(organization=a.organization, as_of=END)
    client.force_login(a.users[Role.GROUP_ADMIN])
    page = client.get(reverse("reports:dashboard"), {"start": str(START), "end": str(END), "group": "1"}).content.decode()
    from reports.models import TierCount

    tier = TierCount.objects.for_org(a.organization).exclude(tier_code="alpha-tier").first()
    assert f'{reverse("loyalty:members")}?tier={tier.tier_code}' in page
    listed = client.get(reverse("loyalty:members"), {"tier": tier.tier_code})
    assert listed.status_code == 200


def test_the_drill_page_does_not_query_per_row(client, ledger, django_assert_max_num_queries):
    client.force_login(ledger.a.users[Role.GROUP_ADMIN])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("reports:ledger-entries"), {"start": str(START), "end": str(END), "group": "1", "kind": "earn"})
    assert response.status_code == 200 and len(response.context["rows"]) >= 5
