"""The API answers what its schema says (issue 20, finding 7), checked one by one; the schemathesis
run (tests/security/test_schemathesis.py) checks every operation with generated data."""

import pytest

from loyalty import services
from loyalty.selectors import membership_for_guest
from tests.api.conftest import error_shape


def _schema(pms):
    return pms.get("/api/v1/schema/", {"format": "json"}).json()


def test_nested_field_errors_are_a_map_of_dotted_fields_to_lists(api):
    pms, _key = api()
    response = pms.post("/api/v1/stays/events/batch/", {"events": [None, {"event": "booked"}]})
    assert response.status_code == 400
    errors = response.json()["field_errors"]
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in errors.values())
    assert "events.0" in errors and "0" not in errors
    assert not any(key.isdigit() for key in errors)


def test_a_statements_running_balance_is_an_integer(api, tenants):
    pms, _key = api()
    guest = tenants.a.guests[0]
    membership = membership_for_guest(organization=tenants.a.organization, guest_id=guest.pk)
    services.points_award(membership=membership, points=1209, idempotency_key="int-check")
    rows = pms.get(f"/api/v1/guests/{guest.pk}/loyalty/statement/").json()["results"]
    assert rows and all(type(row["balance_after"]) is int and type(row["points"]) is int for row in rows)
    assert b"1209.0" not in pms.get(f"/api/v1/guests/{guest.pk}/loyalty/statement/").content


def test_a_guest_answer_matches_exactly_one_branch_of_the_schema(api, tenants):
    import jsonschema

    pms, _key = api()
    schema = _schema(pms)
    components = schema["components"]["schemas"]
    body = pms.get(f"/api/v1/guests/{tenants.a.guests[0].pk}/").json()
    masked = {"id": 1, "is_masked": True, "is_confidential": True}

    def matches(instance, name):
        resolver_schema = {**components[name], "components": schema["components"]}
        return jsonschema.Draft202012Validator(resolver_schema).is_valid(instance)

    assert (matches(body, "GuestOutput"), matches(body, "GuestMasked")) == (True, False)
    assert (matches(masked, "GuestOutput"), matches(masked, "GuestMasked")) == (False, True)


@pytest.mark.parametrize(
    "path", ["/api/v1/guests/abc/", "/api/v1/guests/-1/loyalty/", "/api/v1/hotels/x/", "/api/v1/no-such-thing/"]
)
def test_an_api_path_no_route_matches_answers_json_404(api, path):
    pms, _key = api()
    response = pms.get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert error_shape(response.json()) and response.json()["type"] == "not_found"


def test_the_site_still_answers_its_404_page_outside_the_api(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and b"<html" in response.content


@pytest.mark.parametrize("query", ["date=", "date=2026-13-01", "date=2026-10-01&date=2026-10-02", "date=x"])
def test_a_malformed_arrivals_date_is_refused(api, query):
    pms, _key = api()
    response = pms.client.get(f"/api/v1/arrivals/?{query}", **pms.headers)
    assert response.status_code == 400 and "date" in response.json()["field_errors"]


@pytest.mark.parametrize("query", ["page=1&page=2", "page=x", "page=0", "page=-1"])
def test_a_malformed_page_is_refused(api, query):
    pms, _key = api()
    response = pms.client.get(f"/api/v1/hotels/?{query}", **pms.headers)
    assert response.status_code == 400 and "page" in response.json()["field_errors"]


@pytest.mark.parametrize(
    "query", ["page_size=0", "page_size=201", "page_size=x", "page_size=5&page_size=6", "cursor=a&cursor=b"]
)
def test_a_malformed_page_size_or_cursor_is_refused(api, query):
    pms, _key = api()
    response = pms.client.get(f"/api/v1/guests/?{query}", **pms.headers)
    assert response.status_code == 400 and error_shape(response.json())


def test_a_five_thousand_character_search_answers_414_json(api):
    pms, _key = api()
    response = pms.get("/api/v1/guests/", {"q": "x" * 5000})
    assert response.status_code == 414 and error_shape(response.json()) and response.json()["type"] == "uri_too_long"


def test_404_414_and_503_are_documented_on_every_operation(api):
    pms, _key = api()
    for path, item in _schema(pms)["paths"].items():
        for method, operation in item.items():
            assert {"404", "414", "503"} <= set(operation["responses"]), (method, path)


def test_the_405_title_has_no_placeholder(api):
    pms, _key = api()
    response = pms.client.delete("/api/v1/hotels/", **pms.headers)
    assert response.status_code == 405
    body = response.json()
    assert "{" not in body["title"] and "DELETE" in body["detail"] and response["Allow"]
