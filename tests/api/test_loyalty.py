"""Loyalty through the API: balance, statement, award and redeem with Idempotency-Key; points on checkout."""

import datetime

from loyalty.selectors import membership_for_guest
from tests.api.conftest import error_shape


def _membership(tenants):
    return membership_for_guest(organization=tenants.a.organization, guest_id=tenants.a.guests[0].pk)


def test_balance_statement_and_member_number_lookup(api, tenants):
    pms, _key = api()
    guest = tenants.a.guests[0]
    membership = _membership(tenants)
    body = pms.get(f"/api/v1/guests/{guest.pk}/loyalty/").json()
    assert body["balance"] == membership.balance and body["member_number"] == membership.member_number
    statement = pms.get(f"/api/v1/guests/{guest.pk}/loyalty/statement/", {"limit": 1}).json()
    assert statement["count"] >= 2 and len(statement["results"]) == 1
    assert statement["results"][0]["balance_after"] == membership.balance
    found = pms.get("/api/v1/guests/lookup/", {"member_number": membership.member_number}).json()
    assert [g["id"] for g in found] == [guest.pk]
    assert pms.get("/api/v1/guests/lookup/", {"member_number": "12345"}).json() == []


def test_award_needs_an_idempotency_key_and_a_retry_credits_once(api, tenants):
    pms, _key = api()
    guest = tenants.a.guests[0]
    before = _membership(tenants).balance
    url = f"/api/v1/guests/{guest.pk}/loyalty/award/"
    assert pms.post(url, {"points": 100, "reason": "Spa"}).status_code == 400
    first = pms.post(url, {"points": 100, "reason": "Spa"}, HTTP_IDEMPOTENCY_KEY="spa-1")
    again = pms.post(url, {"points": 100, "reason": "Spa"}, HTTP_IDEMPOTENCY_KEY="spa-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert _membership(tenants).balance == before + 100
    assert pms.post(url, {"points": 200, "reason": "Spa"}, HTTP_IDEMPOTENCY_KEY="spa-1").status_code == 422


def test_redeem_refuses_a_short_balance_with_a_clear_error(api, tenants):
    pms, _key = api()
    guest = tenants.a.guests[0]
    url = f"/api/v1/guests/{guest.pk}/loyalty/redeem/"
    response = pms.post(url, {"points": 10**8, "reason": "Suite"}, HTTP_IDEMPOTENCY_KEY="r-1")
    assert response.status_code == 400 and response.json()["type"] == "insufficient_points"
    ok = pms.post(url, {"points": 100, "reason": "Drink"}, HTTP_IDEMPOTENCY_KEY="r-2")
    assert ok.status_code == 201 and ok.json()["points"] == -100


def test_scopes_non_members_and_other_organizations(api, tenants):
    reader, _key = api(scopes=["loyalty:read"])
    guest = tenants.a.guests[0]
    assert (
        reader.post(
            f"/api/v1/guests/{guest.pk}/loyalty/award/", {"points": 1, "reason": "x"}, HTTP_IDEMPOTENCY_KEY="x"
        ).status_code
        == 403
    )
    response = reader.get(f"/api/v1/guests/{tenants.a.guests[1].pk}/loyalty/")
    assert response.status_code == 400 and response.json()["type"] == "not_a_member" and error_shape(response.json())
    foreign = reader.get(f"/api/v1/guests/{tenants.b.guests[0].pk}/loyalty/")
    missing = reader.get("/api/v1/guests/999999999/loyalty/")
    assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()


def _events(prefix, guest_id):
    base = datetime.datetime(2026, 10, 1, 8, tzinfo=datetime.UTC)
    events = []
    for i in range(5):
        common = {
            "reservation_id": f"{prefix}-{i}",
            "arrival_on": "2026-10-10",
            "departure_on": "2026-10-12",
            "guest_id": guest_id,
        }
        for version, (event, details) in enumerate(
            [
                ("booked", {}),
                ("checked_in", {"room_number": "801"}),
                ("checked_out", {"room_number": "801", "room_revenue": "1500.00"}),
            ],
            start=1,
        ):
            events.append(
                {
                    **common,
                    "event": event,
                    "version": version,
                    "event_at": (base + datetime.timedelta(hours=version)).isoformat(),
                    "details": details,
                }
            )
    return events


def test_stays_nights_and_points_are_the_same_posted_once_in_order_or_three_times_shuffled(api, tenants):
    import random

    from guests.models import Stay
    from guests.services import guest_create
    from hotelcrm.models import Role
    from loyalty.services import membership_enrol

    pms, _key = api()
    members = []
    for name in ("Ordered", "Shuffled"):
        guest = guest_create(organization=tenants.a.organization, actor=None, family_name=name)
        members.append(membership_enrol(guest=guest, actor=tenants.a.users[Role.MANAGER], hotel=tenants.a.hotels[0]))
    ordered, shuffled_member = members
    assert pms.post("/api/v1/stays/events/batch/", {"events": _events("ORD", ordered.guest_id)}).json()["errors"] == 0
    shuffled = _events("SHF", shuffled_member.guest_id)
    random.Random(3).shuffle(shuffled)
    for _round in range(3):
        assert pms.post("/api/v1/stays/events/batch/", {"events": shuffled}).json()["errors"] == 0
    ordered.refresh_from_db()
    shuffled_member.refresh_from_db()
    assert ordered.balance > 0 and shuffled_member.balance == ordered.balance

    def stays(guest_id):
        rows = Stay.objects.for_org(tenants.a.organization).filter(guest_id=guest_id).order_by("pms_reservation_id")
        return [(s.status, s.nights, s.room_revenue) for s in rows]

    assert stays(ordered.guest_id) == stays(shuffled_member.guest_id) == [("checked_out", 2, 1500)] * 5
