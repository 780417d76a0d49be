"""Booking facts on the stay: accepted by the API (single and batch), derived lead time, cancellation
time, shown on the guest profile."""

import datetime

from django.urls import reverse

from guests.models import Stay
from hotelcrm.models import Role
from tests.api.conftest import error_shape


def _event(reservation, event="booked", version=1, event_at="2026-11-01T08:00:00+08:00", **details):
    return {
        "reservation_id": reservation,
        "event": event,
        "version": version,
        "event_at": event_at,
        "arrival_on": "2026-11-10",
        "departure_on": "2026-11-13",
        "pms_profile_id": "P-1",
        "guest": {"family_name": "Sun"},
        "details": details,
    }


def test_booking_facts_are_stored_and_the_lead_time_is_counted_in_the_hotels_zone(api, tenants):
    pms, _key = api()  # the hotel is in Asia/Shanghai
    facts = {
        "adults": 2,
        "children": 1,
        "market_segment": "Corporate",
        "channel": "Direct",
        "rate_code": "BAR",
        # 31 October 16:30 UTC is already 1 November in Shanghai: 9 days before the arrival, not 10.
        "booked_at": "2026-10-31T16:30:00Z",
    }
    response = pms.post("/api/v1/stays/events/", _event("R-1", **facts))
    assert response.status_code == 200, response.content
    assert response.json()["ignored_fields"] == []
    stay = Stay.objects.for_hotel(tenants.a.hotels[0]).get(pms_reservation_id="R-1")
    assert (stay.adults, stay.children, stay.market_segment, stay.channel, stay.rate_code, stay.lead_days) == (
        2,
        1,
        "Corporate",
        "Direct",
        "BAR",
        9,
    )
    assert stay.booked_at == datetime.datetime(2026, 10, 31, 16, 30, tzinfo=datetime.UTC)


def test_a_cancellation_keeps_its_time_and_reason(api, tenants):
    pms, _key = api()
    pms.post("/api/v1/stays/events/", _event("R-1"))
    pms.post(
        "/api/v1/stays/events/batch/",
        {
            "events": [
                _event(
                    "R-1", "cancelled", 2, event_at="2026-11-05T09:00:00+08:00", cancellation_reason="Flight cancelled"
                ),
                _event("R-2", "cancelled", 1, cancelled_at="2026-11-04T01:00:00Z"),
            ]
        },
    )
    stays = {
        s.pms_reservation_id: s
        for s in Stay.objects.for_hotel(tenants.a.hotels[0]).filter(pms_reservation_id__in=["R-1", "R-2"])
    }
    assert stays["R-1"].status == "cancelled" and stays["R-1"].cancellation_reason == "Flight cancelled"
    assert stays["R-1"].cancelled_at == datetime.datetime(2026, 11, 5, 1, 0, tzinfo=datetime.UTC)
    assert stays["R-2"].cancelled_at == datetime.datetime(2026, 11, 4, 1, 0, tzinfo=datetime.UTC)


def test_bad_booking_facts_are_field_errors(api):
    pms, _key = api()
    for details, field in (
        ({"adults": -1}, "adults"),
        ({"children": 500}, "children"),
        ({"booked_at": "2026-10-01T10:00:00"}, "booked_at"),
        ({"adults": "two"}, "adults"),
    ):
        response = pms.post("/api/v1/stays/events/", _event("R-9", **details))
        assert response.status_code == 400 and error_shape(response.json())
        # Nested errors are named by their dotted path (field_errors is a flat map of field -> messages).
        assert list(response.json()["field_errors"]) == [f"details.{field}"]


def test_the_booking_facts_show_on_the_guest_profile(api, client, tenants):
    pms, _key = api()
    pms.post(
        "/api/v1/stays/events/",
        _event("R-1", adults=2, children=1, market_segment="Corporate", booked_at="2026-10-01T10:00:00+08:00"),
    )
    pms.post("/api/v1/stays/events/", _event("R-1", "cancelled", 2, cancellation_reason="Flight cancelled"))
    stay = Stay.objects.for_hotel(tenants.a.hotels[0]).get(pms_reservation_id="R-1")
    client.force_login(tenants.a.users[Role.MANAGER])
    page = client.get(reverse("guests:detail", args=[stay.guest_id])).content.decode()
    for text in ("2 adults", "1 child", "Corporate", "Booked 40 days ahead", "Flight cancelled"):
        assert text in page, text


def test_the_schema_documents_the_booking_facts():
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    wanted = {"adults", "children", "market_segment", "booked_at", "cancelled_at", "cancellation_reason"}
    details = [
        name
        for name, component in schema["components"]["schemas"].items()
        if name.startswith("StayDetails") and wanted <= set(component.get("properties", {}))
    ]
    assert details, "the stay details in the OpenAPI schema lack the booking facts"
