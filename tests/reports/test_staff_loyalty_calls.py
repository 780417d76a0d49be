"""Top rewards, call tasks done on time and the staff section against the raw rows."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.urls import reverse

from complaints.models import Complaint
from guests.models import GuestProfile
from guests.services import guest_contact_add
from hotelcrm.models import Role
from reports.selectors import PROFILE_FIELDS, Scope, call_task_figures, staff_section, top_rewards
from tests.factories import GuestFactory, MembershipFactory, UserFactory
from tests.reports.data import (
    END,
    START,
    _at,
    expected_call_tasks,
    expected_reward_orders,
    generate_call_tasks,
    generate_reward_orders,
)


def _scope(tenant, is_group):
    hotels = tenant.hotels if is_group else tenant.hotels[:1]
    return Scope(tenant.organization, hotels, is_group, hotels[0]), hotels


@pytest.fixture
def rewards(tenants):
    generate_reward_orders(tenants.a, seed=1)
    generate_reward_orders(tenants.b, seed=2)
    return tenants


@pytest.mark.parametrize("is_group", [False, True])
def test_top_rewards_equal_the_raw_orders(rewards, is_group):
    scope, hotels = _scope(rewards.a, is_group)
    orders = expected_reward_orders(rewards.a.organization, hotels, START, END)
    assert len(orders) > 5
    quantity, count = Counter(), Counter()
    for o in orders:
        quantity[o.reward_id] += o.quantity
        count[o.reward_id] += 1
    found = top_rewards(scope=scope, start=START, end=END)
    assert {r["reward_id"]: (r["quantity"], r["orders"]) for r in found} == {
        k: (quantity[k], count[k]) for k in quantity
    }
    assert [r["quantity"] for r in found] == sorted(quantity.values(), reverse=True)


def test_each_reward_drills_to_its_orders_and_the_export_lists_them(client, rewards):
    tenant = rewards.a
    client.force_login(tenant.users[Role.GROUP_ADMIN])
    params = {"start": str(START), "end": str(END), "group": "1"}
    summary = client.get(reverse("reports:dashboard"), params).context["summary"]
    assert summary["loyalty"]["top_rewards"]
    for row in summary["loyalty"]["top_rewards"]:
        drill = client.get(reverse("reports:reward-orders"), {**params, "reward": row["reward_id"]})
        assert drill.status_code == 200 and drill.context["page"].paginator.count == row["orders"]
    other = expected_reward_orders(rewards.b.organization, rewards.b.hotels, START, END)[0]
    assert (
        client.get(reverse("reports:reward-orders"), {**params, "reward": other.reward_id})
        .context["page"]
        .paginator.count
        == 0
    )
    content = client.get(reverse("reports:dashboard"), {**params, "format": "csv"}).content.decode()
    top = summary["loyalty"]["top_rewards"][0]
    assert f"{top['reward__name']},{top['quantity']},{top['orders']},{top['points']}" in content


@pytest.mark.parametrize("is_group", [False, True])
def test_calls_done_on_time_count_by_the_hotels_local_day(tenants, is_group):
    generate_call_tasks(tenants.a, seed=1)
    generate_call_tasks(tenants.b, seed=2)
    scope, hotels = _scope(tenants.a, is_group)
    tasks, on_time = expected_call_tasks(tenants.a.organization, hotels, START, END)
    figures = call_task_figures(scope=scope, start=START, end=END)
    assert figures["due"] == len(tasks) > 5
    assert figures["on_time"] == len(on_time) > 0
    assert figures["done"] == sum(1 for t in tasks if t.status == "done")
    assert figures["on_time_rate"] == round(100 * len(on_time) / len(tasks), 1)


def test_a_call_done_at_23_30_local_on_its_due_day_is_on_time_and_at_00_10_the_next_is_late(tenants, client):
    from care.models import CallTask

    shanghai = tenants.a.hotels[0]
    guest = tenants.a.guests[0]
    day = START + datetime.timedelta(days=3)
    on_time = CallTask.objects.create(
        organization=tenants.a.organization,
        hotel=shanghai,
        guest=guest,
        due_on=day,
        status="done",
        completed_at=_at(shanghai, day, 23, 30),
    )
    late = CallTask.objects.create(
        organization=tenants.a.organization,
        hotel=shanghai,
        guest=guest,
        due_on=day,
        status="done",
        completed_at=_at(shanghai, day + datetime.timedelta(days=1), 0, 10),
    )
    scope = Scope(tenants.a.organization, [shanghai], False, shanghai)
    assert call_task_figures(scope=scope, start=day, end=day)["on_time"] == 1
    client.force_login(tenants.a.users[Role.MANAGER])
    params = {"start": str(day), "end": str(day)}
    assert [t.pk for t in client.get(reverse("reports:calls"), {**params, "show": "on_time"}).context["page"]] == [
        on_time.pk
    ]
    assert [t.pk for t in client.get(reverse("reports:calls"), {**params, "show": "late"}).context["page"]] == [late.pk]
    assert client.get(reverse("reports:calls"), {**params, "show": "whenever"}).status_code == 400


@pytest.fixture
def staffed(tenants):
    """Complaints resolved by staff of both hotels, and guests they own with profiles more or less complete."""
    a = tenants.a
    river_user = UserFactory(username="alpha-river-desk")
    MembershipFactory(user=river_user, hotel=a.hotels[1], organization=a.organization, role=Role.FRONT_DESK)
    staff = [
        (a.users[Role.GUEST_RELATIONS], a.hotels[0]),
        (a.users[Role.MANAGER], a.hotels[0]),
        (river_user, a.hotels[1]),
    ]
    for n, (user, hotel) in enumerate(staff):
        for i in range(4 + n):
            received = _at(hotel, START + datetime.timedelta(days=i), 9, 0)
            resolved = received + datetime.timedelta(hours=(30 if i % 3 == 0 else 5))
            Complaint.objects.create(
                organization=a.organization,
                hotel=hotel,
                category="service",
                description="x",
                received_at=received,
                acknowledge_due_at=received,
                hard_due_at=received,
                resolve_due_at=received + datetime.timedelta(hours=24),
                resolved_at=resolved,
                status="resolved",
                assignee=user,
            )
        # Resolved at 23:50 local on the period's last day: counts. At 00:10 after it: does not.
        for moment in (_at(hotel, END, 23, 50), _at(hotel, END + datetime.timedelta(days=1), 0, 10)):
            Complaint.objects.create(
                organization=a.organization,
                hotel=hotel,
                category="service",
                description="edge",
                received_at=moment - datetime.timedelta(hours=2),
                acknowledge_due_at=moment,
                hard_due_at=moment,
                resolve_due_at=moment,
                resolved_at=moment,
                status="resolved",
                assignee=user,
            )
        for i in range(3):
            guest = GuestProfile.objects.create(
                organization=a.organization,
                family_name=f"Owned{n}-{i}",
                relationship_owner=user,
                nationality="CN" if i else "",
                gender="female" if i == 2 else "unknown",
                birth_decade=1980 if i else None,
                guest_type="business",
                preferred_language="zh-hans" if i == 1 else "",
            )
            if i == 2:
                guest_contact_add(guest=guest, kind="email", raw_value=f"owned{n}@example.com", actor=user)
    outsider = tenants.b.users[Role.MANAGER]
    GuestProfile.objects.create(
        organization=tenants.b.organization, family_name="BravoOwned", relationship_owner=outsider
    )
    return tenants, staff


def _expected_staff(organization, hotels, staff_users):
    tz = {h.pk: h.tz for h in hotels}
    handled = defaultdict(lambda: [0, 0])
    for c in Complaint.objects.for_org(organization).filter(hotel_id__in=list(tz), assignee__in=staff_users):
        if (
            c.status != "cancelled"
            and c.resolved_at
            and START <= c.resolved_at.astimezone(tz[c.hotel_id]).date() <= END
        ):
            handled[c.assignee_id][0] += 1
            handled[c.assignee_id][1] += c.resolved_at <= c.resolve_due_at
    completeness = {}
    for user in staff_users:
        guests = list(
            GuestProfile.objects.for_org(organization).filter(relationship_owner=user, merged_into__isnull=True)
        )
        if guests:
            filled = sum(
                bool(g.nationality)
                + (g.gender not in ("", "unknown"))
                + (g.birth_decade is not None)
                + bool(g.guest_type)
                + bool(g.preferred_language)
                + g.contacts.exists()
                for g in guests
            )
            completeness[user.pk] = (len(guests), round(100 * filled / (len(guests) * len(PROFILE_FIELDS)), 1))
    return handled, completeness


@pytest.mark.parametrize("is_group", [False, True])
def test_staff_figures_equal_the_raw_complaints_and_profiles(staffed, is_group):
    tenants, staff = staffed
    scope, hotels = _scope(tenants.a, is_group)
    in_scope = [user for user, hotel in staff if hotel in hotels]
    handled, completeness = _expected_staff(tenants.a.organization, hotels, in_scope)
    rows = {r["user_id"]: r for r in staff_section(scope=scope, start=START, end=END)["rows"]}
    assert set(rows) == {u.pk for u in in_scope}  # nobody of another hotel (for a manager) or organization
    for user in in_scope:
        assert (rows[user.pk]["handled"], rows[user.pk]["on_time"]) == tuple(handled[user.pk]), user
        assert (rows[user.pk]["guests"], rows[user.pk]["completeness"]) == completeness[user.pk], user


def test_staff_numbers_drill_to_their_rows_within_the_scope(client, staffed):
    tenants, staff = staffed
    a = tenants.a
    client.force_login(a.users[Role.MANAGER])
    params = {"start": str(START), "end": str(END)}
    response = client.get(reverse("reports:dashboard"), params)
    assert 'id="section-staff"' in response.content.decode()
    for row in response.context["summary"]["staff"]["rows"]:
        drill = client.get(reverse("reports:complaints"), {**params, "handled_by": row["user_id"]})
        assert drill.context["page"].paginator.count == row["handled"]
        owned = client.get(reverse("reports:owned-guests"), {"owner": row["user_id"]})
        assert owned.status_code == 200 and owned.context["page"].paginator.count == row["guests"]
    river_user = staff[2][0]
    assert (
        client.get(reverse("reports:owned-guests"), {"owner": river_user.pk}).status_code == 404
    )  # another hotel's staff
    assert client.get(reverse("reports:owned-guests"), {"owner": tenants.b.users[Role.MANAGER].pk}).status_code == 404
    assert client.get(reverse("reports:owned-guests"), {"owner": "me"}).status_code == 400
    content = client.get(reverse("reports:dashboard"), {**params, "format": "csv"}).content.decode()
    assert "Staff member,Complaints handled,On time (%),Guests owned,Profile completeness (%)" in content


def test_the_new_lists_keep_their_query_counts(client, staffed, rewards, django_assert_max_num_queries):
    tenants, _staff = staffed
    generate_call_tasks(tenants.a, seed=3)
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    params = {"start": str(START), "end": str(END), "group": "1"}
    for name, extra in (
        ("reports:reward-orders", {}),
        ("reports:calls", {}),
        ("reports:owned-guests", {"owner": tenants.a.users[Role.MANAGER].pk}),
    ):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name), {**params, **extra}).status_code == 200


def test_members_per_tier_are_counted_nightly_from_the_active_memberships(client, tenants):
    from loyalty import services as loyalty_services
    from loyalty.models import Membership as LoyaltyMembership
    from loyalty.models import Tier
    from reports import services as report_services
    from reports.selectors import loyalty_section

    a = tenants.a
    desk, hotel = a.users[Role.FRONT_DESK], a.hotels[0]
    guests = [GuestFactory(organization=a.organization) for _ in range(3)]
    for guest in guests:
        loyalty_services.membership_enrol(guest=guest, actor=desk, hotel=hotel)
    top = Tier.objects.for_org(a.organization).order_by("-rank").first()
    members = LoyaltyMembership.objects.for_org(a.organization)
    members.filter(guest=guests[0]).update(tier=top)
    members.filter(guest=guests[1]).update(status="suspended")
    report_services.rfm_refresh(organization=a.organization, as_of=END)

    expected = Counter(m.tier.name for m in members.filter(status="active").select_related("tier"))
    assert sum(expected.values()) == members.count() - 1 and len(expected) == 2
    scope, _hotels = _scope(a, True)
    found = loyalty_section(scope=scope, start=START, end=END)["tiers"]
    assert {row["tier_name"]: row["members"] for row in found} == dict(expected)
    assert [row["tier_name"] for row in found] == [
        t.name for t in Tier.objects.for_org(a.organization).order_by("rank") if t.name in expected
    ]
    # Shown on the group dashboard, dated; B's members are not A's.
    client.force_login(a.users[Role.GROUP_ADMIN])
    page = client.get(
        reverse("reports:dashboard"), {"start": str(START), "end": str(END), "group": "1"}
    ).content.decode()
    assert top.name in page
    assert "Bravo Tier" not in page
