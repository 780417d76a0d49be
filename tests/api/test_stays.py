"""Reservation events: applied once and in order, batches with per-item results, the stay_changed signal."""

import datetime
import random

from guests.models import Stay
from hotelcrm.domain_events import stay_changed
from hotelcrm.models import AuditEvent
from integrations.models import StayEventReceipt

T0 = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)


def _event(reservation, event, version, *, minutes=0, profile="P-1", **extra):
    return {
        "reservation_id": reservation,
        "event": event,
        "version": version,
        "event_at": (T0 + datetime.timedelta(minutes=minutes)).isoformat(),
        "arrival_on": "2026-11-10",
        "departure_on": "2026-11-13",
        "pms_profile_id": profile,
        "guest": {"family_name": "Sun", "given_name": "Li"},
        **extra,
    }


def _lifecycle(reservation):
    return [
        _event(reservation, "booked", 1),
        _event(reservation, "modified", 2, minutes=5, details={"room_type": "Deluxe"}),
        _event(reservation, "checked_in", 3, minutes=10, details={"room_type": "Deluxe", "room_number": "1203"}),
        _event(
            reservation,
            "checked_out",
            4,
            minutes=20,
            details={"room_type": "Deluxe", "room_number": "1203", "room_revenue": "2400.00"},
        ),
    ]


def _state(hotel):
    stays = Stay.objects.for_hotel(hotel).filter(pms_reservation_id__startswith="R-").order_by("pms_reservation_id")
    return [
        (s.pms_reservation_id, s.status, s.nights, str(s.room_revenue), s.room_number, s.room_type, s.guest_id)
        for s in stays
    ]


class SignalLog:
    def __init__(self):
        self.calls = []

    def __call__(self, sender, stay, previous_status, actor, source, **kwargs):
        self.calls.append((stay.pms_reservation_id, previous_status, stay.status, source))


def test_a_reservation_lifecycle_applies_and_sends_stay_changed(api, tenants):
    pms, key = api()
    log = SignalLog()
    stay_changed.connect(log)
    try:
        for event in _lifecycle("R-1"):
            response = pms.post("/api/v1/stays/events/", event)
            assert response.status_code == 200, response.content
            assert response.json()["result"] == "applied"
    finally:
        stay_changed.disconnect(log)
    stay = Stay.objects.for_hotel(tenants.a.hotels[0]).get(pms_reservation_id="R-1")
    assert (stay.status, stay.room_number, stay.room_revenue) == ("checked_out", "1203", 2400)
    assert log.calls == [
        ("R-1", None, "booked", "api"),
        ("R-1", "booked", "booked", "api"),
        ("R-1", "booked", "in_house", "api"),
        ("R-1", "in_house", "checked_out", "api"),
    ]
    audit = AuditEvent.objects.for_org(tenants.a.organization).filter(
        action__startswith="stay.", object_id=str(stay.pk)
    )
    assert audit.count() == 4 and all(e.actor_label == key.label for e in audit)


def test_repeated_and_late_events_are_ignored(api, tenants):
    pms, _key = api()
    events = _lifecycle("R-2")
    for event in events:
        pms.post("/api/v1/stays/events/", event)
    for event in events:  # all again: nothing newer than the checkout
        assert pms.post("/api/v1/stays/events/", event).json()["result"] == "ignored"
    late = _event("R-2", "cancelled", 3, minutes=30)  # an old version, however late it arrives
    assert pms.post("/api/v1/stays/events/", late).json() == {
        "reservation_id": "R-2",
        "result": "ignored",
        "stay_id": late_stay_id(tenants, "R-2"),
        "status": "checked_out",
        "ignored_fields": [],
    }


def late_stay_id(tenants, reservation):
    return Stay.objects.for_hotel(tenants.a.hotels[0]).get(pms_reservation_id=reservation).pk


def test_a_batch_three_times_and_shuffled_ends_as_once_in_order(api, tenants):
    hotel = tenants.a.hotels[0]
    pms, _key = api()
    reservations = [f"R-{i:03d}" for i in range(20)]
    events = [e for r in reservations for e in _lifecycle(r)]
    once = pms.post("/api/v1/stays/events/batch/", {"events": events}).json()
    assert once["applied"] == len(events) and once["errors"] == 0
    in_order = _state(hotel)
    Stay.objects.for_hotel(hotel).filter(pms_reservation_id__in=reservations).delete()
    StayEventReceipt.objects.for_hotel(hotel).filter(pms_reservation_id__in=reservations).delete()
    shuffled = list(events)
    random.Random(8).shuffle(shuffled)
    for _round in range(3):
        pms.post("/api/v1/stays/events/batch/", {"events": shuffled})
    assert _state(hotel) == in_order
    assert all(row[1] == "checked_out" and row[2] == 3 for row in in_order)


def test_batch_gives_a_result_per_item_and_one_bad_event_does_not_stop_the_rest(api, tenants):
    pms, _key = api()
    events = [
        _event("R-A", "booked", 1),
        {"reservation_id": "R-B", "event": "teleported"},
        _event("R-C", "booked", 1, departure_on="2026-11-01"),
        _event("R-D", "booked", 1, profile="UNKNOWN", guest=None),
        "not an object",
        _event("R-E", "booked", 1, guest_id=tenants.b.guests[0].pk, pms_profile_id=None),
        _event("R-F", "checked_in", 1, details={"room_revenue": "-5"}),
        _event("R-A", "booked", 1),
    ]
    events[3].pop("guest")
    events[5].pop("pms_profile_id")
    body = pms.post("/api/v1/stays/events/batch/", {"events": events}).json()
    results = [r["result"] for r in body["results"]]
    assert results == ["applied", "error", "error", "error", "error", "error", "error", "ignored"]
    assert [r["index"] for r in body["results"]] == list(range(8))
    assert body["results"][1]["error"]["field_errors"].keys() >= {"event"}
    assert "guest_id" in body["results"][5]["error"]["field_errors"]
    assert (body["applied"], body["ignored"], body["errors"]) == (1, 1, 6)


def test_batch_size_is_limited_to_1000(api):
    pms, _key = api()
    response = pms.post("/api/v1/stays/events/batch/", {"events": [{}] * 1001})
    assert response.status_code == 400 and "events" in response.json()["field_errors"]
    assert pms.post("/api/v1/stays/events/batch/", {"events": []}).status_code == 400


def test_a_guest_of_another_organization_cannot_be_given_a_stay(api, tenants):
    pms, _key = api()
    event = _event("R-X", "booked", 1, guest_id=tenants.b.guests[0].pk)
    event.pop("pms_profile_id")
    foreign = pms.post("/api/v1/stays/events/", event)
    event["guest_id"] = 999999999
    missing = pms.post("/api/v1/stays/events/", event)
    assert foreign.status_code == missing.status_code == 400 and foreign.json() == missing.json()
    assert not Stay.objects.for_org(tenants.b.organization).filter(pms_reservation_id="R-X").exists()


def test_arrivals_with_preferences_and_masking(api, tenants):
    pms, _key = api()
    stay = tenants.a.stays[0]  # arrives today at hotel 0, first guest has a pillow preference
    body = pms.get("/api/v1/arrivals/").json()
    rows = {row["stay_id"]: row for row in body["arrivals"]}
    assert stay.pk in rows and rows[stay.pk]["preferences"]
    assert {"category", "name", "value"} == set(rows[stay.pk]["preferences"][0])
    assert rows[stay.pk]["guest_id"] == stay.guest_id
    assert pms.get("/api/v1/arrivals/", {"date": "2026-13-01"}).status_code == 400
    assert pms.get("/api/v1/arrivals/", {"date": "1700-01-01"}).status_code in (200, 400)
    other, _k = api(hotel_index=1)
    rows = {row["stay_id"]: row for row in other.get("/api/v1/arrivals/").json()["arrivals"]}
    second = tenants.a.stays[1]  # the confidential guest at hotel 1
    assert rows[second.pk]["is_masked"] is True and rows[second.pk]["guest_name"] == ""


def test_an_event_whose_transaction_postgresql_aborts_as_a_deadlock_victim_is_retried_once(api, tenants, monkeypatch):
    from django.db import connection

    from integrations.api import views

    real, calls = views.stay_event_receive_one, []

    def deadlocked_first(**kwargs):
        calls.append(kwargs["event"]["reservation_id"])
        result = real(**kwargs)
        if len(calls) == 1:  # the first attempt wrote its rows; then PostgreSQL picks it as the victim
            with connection.cursor() as cursor:
                cursor.execute("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$")
        return result

    monkeypatch.setattr(views, "stay_event_receive_one", deadlocked_first)
    pms, _key = api()
    response = pms.post("/api/v1/stays/events/", _event("R-D", "booked", 1))
    assert response.status_code == 200, response.content
    assert response.json()["result"] == "applied" and calls == ["R-D", "R-D"]
    stays = Stay.objects.for_hotel(tenants.a.hotels[0]).filter(pms_reservation_id="R-D")
    assert stays.count() == 1
    assert (
        AuditEvent.objects.for_org(tenants.a.organization)
        .filter(action__startswith="stay.", object_id=str(stays[0].pk))
        .count()
        == 1
    )
