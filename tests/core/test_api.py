from hotelcrm.models import Role


def _shape(body):
    return set(body) == {"type", "title", "detail", "field_errors"}


def test_the_api_lists_only_the_callers_hotels(client, tenants):
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    codes = {row["code"] for row in client.get("/api/v1/hotels/").json()["results"]}
    assert codes == {hotel.code for hotel in tenants.a.hotels}


def test_an_anonymous_call_gets_the_error_shape(client, db):
    response = client.get("/api/v1/hotels/")
    assert response.status_code == 403
    assert _shape(response.json()) and response.json()["type"] == "not_authenticated"


def test_a_foreign_or_missing_id_gets_the_same_404_shape(client, tenants):
    client.force_login(tenants.a.users[Role.MANAGER])
    foreign = client.get(f"/api/v1/guests/{tenants.b.guests[0].pk}/")
    missing = client.get("/api/v1/guests/999999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() and _shape(foreign.json())


def test_a_wrong_method_gets_405_with_the_error_shape(client, tenants):
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.delete("/api/v1/hotels/")
    assert response.status_code == 405 and _shape(response.json())
    assert "GET" in response["Allow"]


def test_the_api_returns_a_guest_of_ones_own_organization(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    guest = tenants.a.guests[0]
    body = client.get(f"/api/v1/guests/{guest.pk}/").json()
    assert body["family_name"] == guest.family_name and body["id"] == guest.pk
