"""One approval rule for points on every path (issue 20, finding 1): the PMS API's award obeys the
program's four-eyes threshold and the hard per-request and per-24-hour limits of the key or role."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from hotelcrm.config import env_limits
from hotelcrm.models import AuditEvent, Role
from loyalty import services
from loyalty.models import AdjustmentRequest, AdjustmentStatus, LedgerEntry
from loyalty.selectors import membership_for_guest
from tests.api.conftest import error_shape


def _membership(tenants):
    return membership_for_guest(organization=tenants.a.organization, guest_id=tenants.a.guests[0].pk)


def _award_url(tenants):
    return f"/api/v1/guests/{tenants.a.guests[0].pk}/loyalty/award/"


def _written(tenants):
    organization = tenants.a.organization
    return (
        AdjustmentRequest.objects.for_org(organization).count(),
        LedgerEntry.objects.for_org(organization).count(),
        _membership(tenants).balance,
    )


def _signed_in(client, tenants, role):
    client.force_login(tenants.a.users[role])
    return client


def test_guest_relations_awarding_fifty_million_points_through_the_api_is_refused_and_writes_nothing(client, tenants):
    # The probe's exact call: guest relations, signed in, {"points": 50000000} -> it was 201 and a new balance.
    _signed_in(client, tenants, Role.GUEST_RELATIONS)
    before = _written(tenants)
    response = client.post(
        _award_url(tenants),
        {"points": 50_000_000, "reason": "Goodwill"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="attack-1",
    )
    assert response.status_code == 403, response.content
    body = response.json()
    assert error_shape(body) and body["type"] == "points_limit_exceeded"
    assert _written(tenants) == before


def test_an_award_above_the_threshold_through_the_api_waits_for_a_second_manager(client, tenants):
    _signed_in(client, tenants, Role.GUEST_RELATIONS)
    _count, _entries, balance = _written(tenants)
    response = client.post(
        _award_url(tenants),
        {"points": 5000, "reason": "Wedding disaster"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="big-1",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["points"] == 5000 and body["balance"] == balance
    pending = AdjustmentRequest.objects.for_org(tenants.a.organization).get(pk=body["adjustment_id"])
    assert pending.status == AdjustmentStatus.PENDING and pending.requested_by == tenants.a.users[Role.GUEST_RELATIONS]
    assert _membership(tenants).balance == balance
    services.adjustment_decide(adjustment=pending, actor=tenants.a.users[Role.MANAGER], approve=True)
    assert _membership(tenants).balance == balance + 5000


def test_a_key_cannot_award_a_billion_points_and_above_the_threshold_it_waits(api, tenants):
    pms, key = api(scopes=["loyalty:write", "loyalty:read"])
    before = _written(tenants)
    refused = pms.post(_award_url(tenants), {"points": 10**9, "reason": "Bill 17"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert refused.status_code == 403 and refused.json()["type"] == "points_limit_exceeded"
    assert _written(tenants) == before
    waiting = pms.post(_award_url(tenants), {"points": 40_000, "reason": "Bill 18"}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert waiting.status_code == 202 and waiting.json()["status"] == "pending"
    adjustment = AdjustmentRequest.objects.for_org(tenants.a.organization).get(pk=waiting.json()["adjustment_id"])
    assert adjustment.requested_by is None and adjustment.requested_via == f"key:{key.pk}"
    assert _membership(tenants).balance == before[2]
    # The audit trail names the key as the one who asked.
    event = AuditEvent.objects.filter(action="loyalty.adjustment_request", extra__adjustment_id=adjustment.pk).get()
    assert event.extra["api_key_id"] == key.pk
    # A manager approves it: no one's own request, since a key is no manager.
    services.adjustment_decide(adjustment=adjustment, actor=tenants.a.users[Role.MANAGER], approve=True)
    assert _membership(tenants).balance == before[2] + 40_000


def test_a_small_award_is_credited_at_once_and_a_retry_credits_once(api, tenants):
    pms, _key = api(scopes=["loyalty:write"])
    balance = _membership(tenants).balance
    first = pms.post(_award_url(tenants), {"points": 300, "reason": "Spa"}, HTTP_IDEMPOTENCY_KEY="spa-9")
    again = pms.post(_award_url(tenants), {"points": 300, "reason": "Spa"}, HTTP_IDEMPOTENCY_KEY="spa-9")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert first.json()["status"] == "applied" and first.json()["balance"] == balance + 300
    assert _membership(tenants).balance == balance + 300


def test_a_keys_day_limit_refuses_the_award_that_would_pass_it(api, tenants, settings):
    settings.LOYALTY_POINTS_LIMITS = {**settings.LOYALTY_POINTS_LIMITS, "api_key": (800, 1000)}
    pms, _key = api(scopes=["loyalty:write"])
    assert pms.post(_award_url(tenants), {"points": 900, "reason": "a"}, HTTP_IDEMPOTENCY_KEY="d-0").status_code == 403
    assert pms.post(_award_url(tenants), {"points": 600, "reason": "a"}, HTTP_IDEMPOTENCY_KEY="d-1").status_code == 201
    before = _written(tenants)
    over = pms.post(_award_url(tenants), {"points": 500, "reason": "b"}, HTTP_IDEMPOTENCY_KEY="d-2")
    assert over.status_code == 403 and "24 hours" in over.json()["detail"]
    assert _written(tenants) == before
    # Another key of the same hotel has its own count.
    other, _other_key = api(scopes=["loyalty:write"])
    assert (
        other.post(_award_url(tenants), {"points": 500, "reason": "c"}, HTTP_IDEMPOTENCY_KEY="d-3").status_code == 201
    )


def test_the_ui_award_obeys_the_roles_limit_too(client, tenants, settings):
    settings.LOYALTY_POINTS_LIMITS = {**settings.LOYALTY_POINTS_LIMITS, "front_desk": (200, 1000)}
    membership = _membership(tenants)
    _signed_in(client, tenants, Role.FRONT_DESK)
    before = _written(tenants)
    response = client.post(reverse("loyalty:award", args=[membership.pk]), {"points": 201, "reason": "Noisy room"})
    assert response.status_code == 400 and "At most 200 points" in response.content.decode()
    assert _written(tenants) == before


def test_a_service_caller_without_a_role_gets_the_strictest_limits(tenants, settings):
    settings.LOYALTY_POINTS_LIMITS = {**settings.LOYALTY_POINTS_LIMITS, "front_desk": (10, 10)}
    outsider = tenants.b.users[Role.MANAGER]  # no role at organization A's hotels
    from loyalty.exceptions import PointsLimitExceeded

    with pytest.raises(PointsLimitExceeded):
        services.adjustment_request(
            membership=_membership(tenants), points=11, reason="x", actor=outsider, hotel=tenants.a.hotels[0]
        )


def test_limits_are_configured_by_environment_and_refused_when_malformed(monkeypatch):
    defaults = {"api_key": (1, 2), "manager": (3, 4)}
    monkeypatch.setenv("LOYALTY_POINTS_LIMITS", "api_key=10/20")
    assert env_limits("LOYALTY_POINTS_LIMITS", defaults) == {"api_key": (10, 20), "manager": (3, 4)}
    for bad in ("api_key=10", "robot=1/2", "manager=-1/2"):
        monkeypatch.setenv("LOYALTY_POINTS_LIMITS", bad)
        with pytest.raises(ImproperlyConfigured):
            env_limits("LOYALTY_POINTS_LIMITS", defaults)
