"""Odd real PMS input, each answered per item with a field error in the API's error shape:
alpha-3 nationalities, absurd stays, times without an offset, unknown fields (and strict keys)."""

import pytest
from django.urls import reverse

from guests import imports
from guests.models import GuestProfile, Stay
from hotelcrm.models import AuditEvent, Role
from integrations.models import IntegrationKey
from tests.api.conftest import error_shape

EVENT_AT = "2026-11-01T08:00:00+08:00"


def _event(reservation="R-1", **changes):
    event = {
        "reservation_id": reservation,
        "event": "booked",
        "version": 1,
        "event_at": EVENT_AT,
        "arrival_on": "2026-11-10",
        "departure_on": "2026-11-13",
        "pms_profile_id": "P-1",
        "guest": {"family_name": "Sun", "given_name": "Li"},
    }
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


def _batch(pms, *events):
    response = pms.post("/api/v1/stays/events/batch/", {"events": list(events)})
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- nationality ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sent, stored", [("PRT", "PT"), ("prt", "PT"), ("PT", "PT"), ("chn", "CN"), ("", "")])
def test_a_nationality_is_taken_as_alpha_2_or_alpha_3_and_stored_as_alpha_2(api, tenants, sent, stored):
    pms, _key = api()
    response = pms.post(
        "/api/v1/guests/upsert/", {"pms_profile_id": "P-9", "family_name": "Silva", "nationality": sent}
    )
    assert response.status_code == 201, response.content
    assert response.json()["nationality"] == stored
    assert GuestProfile.objects.for_org(tenants.a.organization).get(pk=response.json()["id"]).nationality == stored


@pytest.mark.parametrize("sent", ["XX", "XYZ", "Portugal", "P1", "12", "ÄÖ"])
def test_an_unknown_nationality_is_a_field_error(api, tenants, sent):
    pms, _key = api()
    response = pms.post(
        "/api/v1/guests/upsert/", {"pms_profile_id": "P-9", "family_name": "Silva", "nationality": sent}
    )
    assert response.status_code == 400 and error_shape(response.json())
    assert list(response.json()["field_errors"]) == ["nationality"]
    assert not GuestProfile.objects.for_org(tenants.a.organization).filter(family_name="Silva").exists()


def test_an_inline_guest_of_a_stay_event_takes_an_alpha_3_nationality(api, tenants):
    pms, _key = api()
    ok, bad = _batch(
        pms,
        _event(guest={"family_name": "Silva", "nationality": "PRT"}),
        _event("R-2", pms_profile_id="P-2", guest={"family_name": "Costa", "nationality": "XYZ"}),
    )
    assert ok["result"] == "applied"
    assert Stay.objects.for_hotel(tenants.a.hotels[0]).get(pms_reservation_id="R-1").guest.nationality == "PT"
    assert bad["result"] == "error" and error_shape(bad["error"])
    assert set(bad["error"]["field_errors"]) == {"guest.nationality"}  # nested errors by their dotted path


def test_the_guest_form_takes_a_country_from_its_list_and_refuses_unknown_codes(client, tenants):
    # The form offers the countries as a select (alpha-2 values); the API and the import take alpha-3 too.
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    client.post(
        reverse("guests:create"),
        {"family_name": "Silva", "native_name": "Silva-PRT", "gender": "unknown", "nationality": "PT"},
    )
    assert GuestProfile.objects.for_org(tenants.a.organization).get(native_name="Silva-PRT").nationality == "PT"
    response = client.post(
        reverse("guests:create"), {"family_name": "Costa", "gender": "unknown", "nationality": "XYZ"}
    )
    assert "nationality" in response.context["form"].errors


def test_the_csv_import_takes_alpha_3_and_reports_unknown_codes():
    columns = ["family_name", "nationality"]
    mapping = {"family_name": 0, "nationality": 1}
    assert imports.check_row(2, ["Silva", "PRT"], mapping, columns, organization_id=1).values["nationality"] == "PT"
    bad = imports.check_row(3, ["Costa", "XYZ"], mapping, columns, organization_id=1)
    assert [column for column, _message in bad.problems] == ["nationality"]


# --- stay length and date window ------------------------------------------------------------------


@pytest.mark.parametrize(
    "arrival, departure, field",
    [
        ("1900-01-01", "2100-01-01", "departure_on"),  # 73,000 nights
        ("2026-01-01", "2027-01-03", "departure_on"),  # 367 nights
        ("1980-01-01", "1980-01-03", "arrival_on"),  # outside the window, two nights
        ("2099-01-01", "2099-01-03", "departure_on"),
    ],
)
def test_an_absurd_stay_is_refused_with_a_field_error(api, tenants, arrival, departure, field):
    pms, _key = api()
    response = pms.post("/api/v1/stays/events/", _event(arrival_on=arrival, departure_on=departure))
    assert response.status_code == 400 and error_shape(response.json())
    assert list(response.json()["field_errors"]) == [field]
    (item,) = _batch(pms, _event(arrival_on=arrival, departure_on=departure))
    assert item["result"] == "error" and list(item["error"]["field_errors"]) == [field]
    assert not Stay.objects.for_hotel(tenants.a.hotels[0]).filter(pms_reservation_id__startswith="R-").exists()


def test_a_stay_of_exactly_the_limit_is_accepted_and_the_limit_is_a_setting(api, settings):
    pms, _key = api()
    response = pms.post("/api/v1/stays/events/", _event(arrival_on="2026-01-01", departure_on="2027-01-02"))
    assert response.status_code == 200, response.content  # 366 nights
    settings.STAY_MAX_NIGHTS = 2
    response = pms.post("/api/v1/stays/events/", _event("R-2", arrival_on="2026-11-10", departure_on="2026-11-13"))
    assert response.status_code == 400 and list(response.json()["field_errors"]) == ["departure_on"]


# --- event_at needs its offset ---------------------------------------------------------------------


@pytest.mark.parametrize("event_at", ["2026-11-01T08:00:00", "2026-11-01 08:00"])
def test_an_event_at_without_a_utc_offset_is_refused(api, tenants, event_at):
    pms, _key = api()
    response = pms.post("/api/v1/stays/events/", _event(event_at=event_at))
    assert response.status_code == 400 and error_shape(response.json())
    assert list(response.json()["field_errors"]) == ["event_at"]
    (item,) = _batch(pms, _event(event_at=event_at))
    assert item["result"] == "error" and list(item["error"]["field_errors"]) == ["event_at"]
    assert not Stay.objects.for_hotel(tenants.a.hotels[0]).filter(pms_reservation_id__startswith="R-").exists()


@pytest.mark.parametrize("event_at", ["2026-11-01T08:00:00Z", "2026-11-01T08:00:00+08:00", "2026-11-01T08:00:00-05:30"])
def test_an_event_at_with_its_offset_is_taken(api, event_at):
    pms, _key = api()
    assert pms.post("/api/v1/stays/events/", _event(event_at=event_at)).status_code == 200


# --- unknown fields ------------------------------------------------------------------------------


def test_unknown_fields_are_named_back_as_ignored(api, tenants):
    pms, _key = api()
    response = pms.post("/api/v1/stays/events/", _event(colour="blue", details={"room_type": "K", "bogus": 1}))
    assert response.status_code == 200, response.content
    assert response.json()["ignored_fields"] == ["colour", "details.bogus"]
    assert pms.post("/api/v1/stays/events/", _event("R-2")).json()["ignored_fields"] == []
    plain, extra = _batch(pms, _event("R-3"), _event("R-4", guest={"family_name": "Li", "shoe_size": 44}))
    assert plain["ignored_fields"] == [] and extra["ignored_fields"] == ["guest.shoe_size"]
    response = pms.post(
        "/api/v1/guests/upsert/", {"pms_profile_id": "P-9", "family_name": "Silva", "loyalty_tier": "gold"}
    )
    assert response.status_code == 201 and response.json()["ignored_fields"] == ["loyalty_tier"]


def test_a_strict_key_refuses_unknown_fields_per_item(api, tenants):
    pms, key = api(is_strict=True)
    response = pms.post("/api/v1/stays/events/", _event(colour="blue"))
    assert response.status_code == 400 and error_shape(response.json())
    assert list(response.json()["field_errors"]) == ["colour"]
    good, bad = _batch(pms, _event("R-1"), _event("R-2", details={"bogus": 1}))
    assert good["result"] == "applied" and bad["result"] == "error"
    assert list(bad["error"]["field_errors"]) == ["details.bogus"]
    response = pms.post("/api/v1/guests/upsert/", {"pms_profile_id": "P-9", "family_name": "Silva", "tier": "gold"})
    assert response.status_code == 400 and list(response.json()["field_errors"]) == ["tier"]
    assert list(
        Stay.objects.for_hotel(tenants.a.hotels[0])
        .filter(pms_reservation_id__startswith="R-")
        .values_list("pms_reservation_id", flat=True)
    ) == ["R-1"]


def test_a_manager_chooses_strict_mode_in_the_key_form_and_on_the_list(client, tenants):
    hotel = tenants.a.hotels[0]
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.post(
        reverse("integrations:key-list"),
        {"name": "Opera", "scopes": ["stays:write"], "rate_per_minute": 600, "is_strict": "on"},
    )
    assert response.status_code == 200
    key = IntegrationKey.objects.for_hotel(hotel).get(name="Opera")
    assert key.is_strict
    client.post(reverse("integrations:key-strict", kwargs={"key_id": key.pk}), {"is_strict": "0"})
    key.refresh_from_db()
    assert not key.is_strict
    assert (
        AuditEvent.objects.for_org(tenants.a.organization)
        .filter(action="integration_key.update", object_id=str(key.pk))
        .count()
        == 1
    )
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert (
        client.post(reverse("integrations:key-strict", kwargs={"key_id": key.pk}), {"is_strict": "1"}).status_code
        == 403
    )
    key.refresh_from_db()
    assert not key.is_strict


def test_a_manager_sets_strict_mode_through_the_api_and_a_key_cannot(client, tenants, api):
    pms, key = api()
    response = pms.patch(f"/api/v1/keys/{key.pk}/", {"is_strict": True})
    assert response.status_code == 403 and error_shape(response.json())
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.patch(f"/api/v1/keys/{key.pk}/", {"is_strict": True}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["is_strict"] is True
    key.refresh_from_db()
    assert key.is_strict
    response = client.patch(f"/api/v1/keys/{key.pk}/", {"is_strict": "maybe"}, content_type="application/json")
    assert response.status_code == 400 and list(response.json()["field_errors"]) == ["is_strict"]
    other, _raw = api(tenant=tenants.b)[1], None
    response = client.patch(f"/api/v1/keys/{other.pk}/", {"is_strict": True}, content_type="application/json")
    assert response.status_code == 404 and error_shape(response.json())
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    response = client.patch(f"/api/v1/keys/{key.pk}/", {"is_strict": False}, content_type="application/json")
    assert response.status_code == 403
