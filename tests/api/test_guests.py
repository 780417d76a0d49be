"""Guest endpoints: upsert by PMS profile id, get, patch, lookup, list; masking, merges, tenants."""

import pytest

from guests import services
from guests.models import GuestProfile
from hotelcrm.models import Role
from integrations.models import GuestLink
from tests.api.conftest import error_shape


def test_upsert_creates_then_updates_the_same_guest(api, tenants):
    pms, _key = api()
    body = {
        "pms_profile_id": "OPERA-77",
        "family_name": "Wang",
        "given_name": "Wei",
        "email": "wang@example.test",
        "phone": "+86 138 0013 8001",
        "vip_level": 2,
    }
    created = pms.post("/api/v1/guests/upsert/", body)
    assert created.status_code == 201, created.content
    guest_id = created.json()["id"]
    updated = pms.post("/api/v1/guests/upsert/", {"pms_profile_id": "OPERA-77", "company": "Acme", "vip_level": 3})
    assert updated.status_code == 200 and updated.json()["id"] == guest_id
    guest = GuestProfile.objects.for_org(tenants.a.organization).get(pk=guest_id)
    assert (guest.company, guest.vip_level, guest.family_name, guest.pms_profile_id) == ("Acme", 3, "Wang", "OPERA-77")
    assert GuestLink.objects.for_hotel(tenants.a.hotels[0]).get(pms_profile_id="OPERA-77").guest_id == guest_id
    assert "email" not in created.json() and "wang@example.test" not in created.content.decode()
    found = pms.post("/api/v1/guests/lookup/", {"email": "WANG@example.test"}).json()
    assert [g["id"] for g in found] == [guest_id]
    found = pms.post("/api/v1/guests/lookup/", {"phone": "+8613800138001"}).json()
    assert [g["id"] for g in found] == [guest_id]
    assert [g["id"] for g in pms.get("/api/v1/guests/lookup/", {"pms_profile_id": "OPERA-77"}).json()] == [guest_id]


def test_a_new_guest_needs_a_family_name(api):
    pms, _key = api()
    response = pms.post("/api/v1/guests/upsert/", {"pms_profile_id": "X-1"})
    assert response.status_code == 400 and error_shape(response.json())
    assert "family_name" in response.json()["field_errors"]


def test_get_and_patch_a_guest(api, tenants):
    pms, _key = api()
    guest = tenants.a.guests[0]
    assert pms.get(f"/api/v1/guests/{guest.pk}/").json()["family_name"] == guest.family_name
    response = pms.patch(f"/api/v1/guests/{guest.pk}/", {"company": "Globex", "vip_level": 9})
    assert response.status_code == 400 and "vip_level" in response.json()["field_errors"]
    response = pms.patch(f"/api/v1/guests/{guest.pk}/", {"company": "Globex"})
    assert response.status_code == 200 and response.json()["company"] == "Globex"


def test_a_confidential_guest_stays_masked_for_a_key_and_opens_for_a_manager(api, client, tenants):
    pms, _key = api()
    confidential = tenants.a.guests[1]  # is_confidential in the fixture
    body = pms.get(f"/api/v1/guests/{confidential.pk}/").json()
    assert body == {"id": confidential.pk, "is_masked": True, "is_confidential": True}
    assert pms.patch(f"/api/v1/guests/{confidential.pk}/", {"company": "X"}).status_code in (400, 403)
    listing = pms.get("/api/v1/guests/").json()["results"]
    assert {"id": confidential.pk, "is_masked": True, "is_confidential": True} in listing
    assert confidential.family_name not in str(listing)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert client.get(f"/api/v1/guests/{confidential.pk}/").json()["is_masked"] is True
    client.force_login(tenants.a.users[Role.MANAGER])
    assert client.get(f"/api/v1/guests/{confidential.pk}/").json()["family_name"] == confidential.family_name


def test_a_merged_guest_answers_where_it_went(api, tenants):
    pms, _key = api()
    survivor, merged = tenants.a.guests[0], tenants.a.guests[1]
    GuestProfile.objects.for_org(tenants.a.organization).filter(pk=merged.pk).update(merged_into=survivor)
    response = pms.get(f"/api/v1/guests/{merged.pk}/")
    assert response.status_code == 301
    assert response.json()["merged_into"] == survivor.pk and response["Location"] == f"/api/v1/guests/{survivor.pk}/"


def test_another_organizations_guest_is_exactly_like_a_missing_one(api, tenants):
    pms, _key = api()
    foreign = pms.get(f"/api/v1/guests/{tenants.b.guests[0].pk}/")
    missing = pms.get("/api/v1/guests/999999999/")
    assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()
    assert pms.patch(f"/api/v1/guests/{tenants.b.guests[0].pk}/", {"company": "x"}).status_code == 404
    assert pms.post("/api/v1/guests/lookup/", {"email": "bravo.guest@example.test"}).json() == []
    assert pms.get("/api/v1/guests/lookup/", {"pms_profile_id": "Bravo-P1"}).json() == []
    names = str(pms.get("/api/v1/guests/", {"page_size": 200}).json())
    assert "Bravo" not in names


def test_the_same_pms_profile_id_at_two_hotels_links_two_guests(api, tenants):
    first, _k1 = api(hotel_index=0)
    second, _k2 = api(hotel_index=1)
    a = first.post("/api/v1/guests/upsert/", {"pms_profile_id": "P-9", "family_name": "Zhao"}).json()["id"]
    b = second.post("/api/v1/guests/upsert/", {"pms_profile_id": "P-9", "family_name": "Qian"}).json()["id"]
    assert a != b


def test_list_filters_and_cursor_pagination_in_constant_queries(api, tenants, django_assert_max_num_queries):
    pms, _key = api()
    for i in range(7):
        services.guest_create(organization=tenants.a.organization, actor=None, family_name=f"Page{i}", vip_level=3)
    seen, url, params = [], "/api/v1/guests/", {"vip_level_min": 3, "page_size": 3}
    while url:
        with django_assert_max_num_queries(6):
            body = pms.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    assert len(seen) == len(set(seen)) == 7
    bad = pms.get("/api/v1/guests/", {"cursor": "garbage", "vip_level_min": "x", "updated_since": "yesterday"})
    assert bad.status_code == 400 and error_shape(bad.json())


def test_lookup_needs_exactly_one_key_and_member_numbers_say_why(api):
    pms, _key = api()
    assert pms.get("/api/v1/guests/lookup/").status_code == 400
    assert pms.post("/api/v1/guests/lookup/", {}).status_code == 400
    assert pms.post("/api/v1/guests/lookup/", {"email": "a@b.c", "phone": "123456"}).status_code == 400
    assert pms.post("/api/v1/guests/lookup/", {"phone": "not a phone"}).json() == []
    assert pms.post("/api/v1/guests/lookup/", {"document_number": "E12345678"}).json() == []


@pytest.mark.parametrize(
    "params",
    [
        {"email": "wang@example.test"},
        {"phone": "+8613800138001"},
        {"document_number": "E12345678"},
        {"email": "a@b.c", "member_number": "1"},
    ],
)
def test_personal_data_in_a_lookup_url_is_refused_and_found_by_post(api, params):
    pms, _key = api()
    response = pms.get("/api/v1/guests/lookup/", params)
    assert response.status_code == 400
    assert set(response.json()["field_errors"]) == set(params) - {"member_number"}
    assert "POST" in str(response.json()["field_errors"])
    response = pms.get("/api/v1/guests/lookup/", {"member_number": "M1"})
    assert response.status_code in (200, 400) and response.status_code != 500
