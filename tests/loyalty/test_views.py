"""Loyalty pages: statements, front-desk forms, catalog, orders, approvals, program settings."""

import pytest
from django.urls import reverse

from hotelcrm.models import Role
from loyalty import services
from loyalty.models import (
    AdjustmentRequest,
    AdjustmentStatus,
    Membership,
    OrderStatus,
    Program,
    RedemptionOrder,
    Reward,
    RewardKind,
    Tier,
)
from tests.factories import GuestFactory


@pytest.fixture
def a(tenants):
    return tenants.a


@pytest.fixture
def member(a):
    guest = GuestFactory(organization=a.organization, family_name="Zhou", given_name="Yan")
    membership = services.membership_enrol(guest=guest, actor=None)
    for i in range(120):
        services.points_award(membership=membership, points=10 + i, idempotency_key=f"v{i}")
    return membership


def login(client, a, role):
    client.force_login(a.users[role])
    return client


def test_the_statement_shows_the_running_balance_in_constant_queries(client, a, member, django_assert_max_num_queries):
    login(client, a, Role.FRONT_DESK)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("loyalty:member", args=[member.pk]))
    rows = response.context["page"].object_list
    assert len(rows) == 50
    total = sum(10 + i for i in range(120))
    assert rows[0]["running"] == total and rows[1]["running"] == total - rows[0]["points"]
    with django_assert_max_num_queries(10):
        page3 = client.get(reverse("loyalty:member", args=[member.pk]), {"page": 3, "kind": "earn"})
    assert len(page3.context["page"].object_list) == 20 and page3.context["page"].object_list[-1]["running"] == 10


def test_a_filtered_statement_keeps_the_true_balance_after_each_entry(client, a, member):
    services.points_redeem(membership=member, points=5, idempotency_key="r1")
    login(client, a, Role.FRONT_DESK)
    rows = client.get(reverse("loyalty:member", args=[member.pk]), {"kind": "redeem"}).context["page"].object_list
    assert [(r["points"], r["running"]) for r in rows] == [(-5, sum(10 + i for i in range(120)) - 5)]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "9999"},
        {"kind": "nonsense"},
        {"date_from": "2026-13-45"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
    ],
)
def test_bad_statement_filters_are_not_errors(client, a, member, params):
    login(client, a, Role.FRONT_DESK)
    assert client.get(reverse("loyalty:member", args=[member.pk]), params).status_code == 200


def test_the_member_list_finds_by_number_and_name(client, a, member, django_assert_max_num_queries):
    login(client, a, Role.FRONT_DESK)
    with django_assert_max_num_queries(10):
        body = client.get(reverse("loyalty:members"), {"q": member.member_number}).content.decode()
    assert member.member_number in body
    assert member.member_number in client.get(reverse("loyalty:members"), {"q": "zhou"}).content.decode()
    assert client.get(reverse("loyalty:members"), {"q": "\x00" * 3, "page": "x"}).status_code == 200


def test_enrolling_from_the_profile_and_twice(client, a):
    guest = GuestFactory(organization=a.organization)
    login(client, a, Role.FRONT_DESK)
    response = client.post(reverse("loyalty:enrol", args=[guest.pk]))
    membership = Membership.objects.for_org(a.organization).get(guest=guest)
    assert response.url == reverse("loyalty:member", args=[membership.pk])
    again = client.post(reverse("loyalty:enrol", args=[guest.pk]), follow=True)
    assert "already" in again.content.decode()


def test_the_front_desk_awards_small_amounts_at_once_and_large_ones_wait(client, a, member):
    login(client, a, Role.FRONT_DESK)
    before = Membership.objects.for_org(a.organization).get(pk=member.pk).balance
    client.post(reverse("loyalty:award", args=[member.pk]), {"points": 100, "reason": "Noisy room"})
    assert Membership.objects.for_org(a.organization).get(pk=member.pk).balance == before + 100
    client.post(reverse("loyalty:award", args=[member.pk]), {"points": 5000, "reason": "Wedding disaster"})
    assert Membership.objects.for_org(a.organization).get(pk=member.pk).balance == before + 100
    pending = AdjustmentRequest.objects.for_org(a.organization).get(membership=member, status=AdjustmentStatus.PENDING)
    login(client, a, Role.MANAGER)
    assert "Wedding disaster" in client.get(reverse("loyalty:adjustments")).content.decode()
    client.post(reverse("loyalty:adjustment-decide", args=[pending.pk]), {"decision": "approve"})
    assert Membership.objects.for_org(a.organization).get(pk=member.pk).balance == before + 5100


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"points": "x", "reason": "r"},
        {"points": 0, "reason": "r"},
        {"points": 10**12, "reason": "r"},
        {"points": 5, "reason": ""},
    ],
)
def test_bad_adjustments_get_a_message(client, a, member, data):
    login(client, a, Role.FRONT_DESK)
    response = client.post(reverse("loyalty:adjust", args=[member.pk]), data)
    assert response.status_code == 400 and "error" in response.content.decode()


def test_redeeming_at_the_desk_once_per_form_and_refusing_an_overdraft(client, a, member):
    reward = Reward.objects.create(
        organization=a.organization, kind=RewardKind.BREAKFAST, name="Breakfast", points_price=1000
    )
    login(client, a, Role.FRONT_DESK)
    form = client.get(reverse("loyalty:redeem", args=[member.pk]))
    token = form.context["form"].initial["token"]
    data = {"reward": reward.pk, "quantity": 2, "token": token}
    assert client.post(reverse("loyalty:redeem", args=[member.pk]), data).status_code == 302
    assert client.post(reverse("loyalty:redeem", args=[member.pk]), data).status_code == 302  # double click
    assert RedemptionOrder.objects.for_org(a.organization).filter(membership=member).count() == 1
    too_much = client.post(
        reverse("loyalty:redeem", args=[member.pk]), {"reward": reward.pk, "quantity": 99, "token": "t2"}
    )
    assert too_much.status_code == 400 and "Not enough points" in too_much.content.decode()
    bad = client.post(reverse("loyalty:redeem", args=[member.pk]), {"reward": 999999, "quantity": 1, "token": "t3"})
    assert bad.status_code == 400


def test_orders_are_fulfilled_or_cancelled_with_a_refund(client, a, member, django_assert_max_num_queries):
    reward = Reward.objects.create(organization=a.organization, kind=RewardKind.SPA, name="Spa", points_price=100)
    orders = [
        services.reward_order_place(
            membership=member, reward=reward, hotel=a.hotels[0], actor=None, idempotency_key=f"o{i}"
        )
        for i in range(3)
    ]
    login(client, a, Role.FRONT_DESK)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("loyalty:orders")).status_code == 200
    client.post(reverse("loyalty:order-fulfil", args=[orders[0].pk]))
    client.post(reverse("loyalty:order-cancel", args=[orders[1].pk]), {"reason": "Spa closed"})
    statuses = dict(
        RedemptionOrder.objects.for_org(a.organization)
        .filter(pk__in=[o.pk for o in orders])
        .values_list("pk", "status")
    )
    assert statuses == {
        orders[0].pk: OrderStatus.FULFILLED,
        orders[1].pk: OrderStatus.CANCELLED,
        orders[2].pk: OrderStatus.PLACED,
    }
    response = client.post(reverse("loyalty:order-cancel", args=[orders[0].pk]), follow=True)
    assert "Only a placed order" in response.content.decode()


def test_managers_manage_the_catalog_and_the_desk_cannot(client, a):
    login(client, a, Role.FRONT_DESK)
    assert client.get(reverse("loyalty:reward-new")).status_code == 403
    assert client.get(reverse("loyalty:program")).status_code == 403
    assert client.get(reverse("loyalty:rewards")).status_code == 200
    login(client, a, Role.MANAGER)
    data = {"name": "Late checkout", "kind": "late_checkout", "points_price": 500, "is_active": "on"}
    assert client.post(reverse("loyalty:reward-new"), data).status_code == 302
    bad = client.post(
        reverse("loyalty:reward-new"),
        {**data, "points_price": -1, "valid_from": "2026-05-02", "valid_until": "2026-05-01"},
    )
    assert bad.status_code == 400
    assert Reward.objects.for_org(a.organization).filter(name="Late checkout").exists()


def test_program_settings_save_the_program_and_tiers(client, a):
    login(client, a, Role.MANAGER)
    page = client.get(reverse("loyalty:program"))
    assert page.status_code == 200
    form, tiers = page.context["form"], page.context["tier_forms"]
    data = {f"program-{k}": ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data["program-adjustment_approval_threshold"] = 2500
    data.update(
        {
            "tiers-TOTAL_FORMS": len(tiers.forms),
            "tiers-INITIAL_FORMS": len(tiers.forms),
            "tiers-MIN_NUM_FORMS": 0,
            "tiers-MAX_NUM_FORMS": 1000,
        }
    )
    for i, tier_form in enumerate(tiers.forms):
        data[f"tiers-{i}-id"] = tier_form.instance.pk
        for name in tier_form.fields:
            if name != "id":
                value = tier_form.initial.get(name)
                data[f"tiers-{i}-{name}"] = "" if value is None else value
    data["tiers-1-min_nights"] = 8
    response = client.post(reverse("loyalty:program"), data)
    assert response.status_code == 302, response.context and (
        response.context["form"].errors,
        response.context["tier_forms"].errors,
    )
    assert Program.objects.for_org(a.organization).get().adjustment_approval_threshold == 2500
    assert Tier.objects.for_org(a.organization).get(code="silver").min_nights == 8
    data["program-spend_unit"] = "0"
    assert client.post(reverse("loyalty:program"), data).status_code == 400


def test_another_organizations_member_is_a_404(client, tenants):
    b_member = Membership.objects.for_org(tenants.b.organization).first()
    login(client, tenants.a, Role.MANAGER)
    for name in ("loyalty:member", "loyalty:award", "loyalty:redeem", "loyalty:adjust"):
        assert client.get(reverse(name, args=[b_member.pk])).status_code == 404


def test_the_admin_lists_the_ledger_read_only(admin_client, tenants):
    for path in (
        "/admin/loyalty/ledgerentry/",
        "/admin/loyalty/membership/",
        "/admin/loyalty/reward/",
        "/admin/loyalty/jobrun/",
    ):
        assert admin_client.get(path).status_code == 200
    entry = (
        __import__("loyalty.models", fromlist=["LedgerEntry"])
        .LedgerEntry.objects.for_org(tenants.a.organization)
        .first()
    )
    assert admin_client.post(f"/admin/loyalty/ledgerentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
