"""Idempotency replays, 422 on a reused key, throttling with Retry-After, and no 500 for malformed input."""

import datetime
import json

from django.utils import timezone

from guests.models import GuestProfile
from integrations.models import IdempotencyRecord
from integrations.services import idempotency_records_purge
from tests.api.conftest import error_shape

UPSERT = "/api/v1/guests/upsert/"


def test_a_retry_with_the_same_key_gets_the_first_answer_and_changes_nothing(api, tenants):
    pms, _key = api()
    body = {"pms_profile_id": "I-1", "family_name": "Zhou"}
    first = pms.post(UPSERT, body, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = pms.post(UPSERT, body, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert GuestProfile.objects.for_org(tenants.a.organization).filter(family_name="Zhou").count() == 1
    # Without the key, the second call is a normal upsert (200: updated).
    assert pms.post(UPSERT, body).status_code == 200


def test_a_reused_key_with_another_body_is_refused_with_422(api):
    pms, _key = api()
    pms.post(UPSERT, {"pms_profile_id": "I-2", "family_name": "Wu"}, HTTP_IDEMPOTENCY_KEY="k-2")
    response = pms.post(UPSERT, {"pms_profile_id": "I-2", "family_name": "Zheng"}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422 and error_shape(response.json())
    assert response.json()["type"] == "idempotency_key_reused"


def test_idempotency_keys_are_per_hotel(api, tenants):
    first, _k1 = api(hotel_index=0)
    other_org, _k2 = api(tenant=tenants.b)
    body = {"pms_profile_id": "I-3", "family_name": "Feng"}
    assert first.post(UPSERT, body, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    response = other_org.post(UPSERT, body, HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert GuestProfile.objects.for_org(tenants.b.organization).filter(family_name="Feng").count() == 1


def test_a_failed_call_stores_nothing_so_the_retry_runs(api):
    pms, _key = api()
    assert pms.post(UPSERT, {"pms_profile_id": "I-4"}, HTTP_IDEMPOTENCY_KEY="k-4").status_code == 400
    response = pms.post(UPSERT, {"pms_profile_id": "I-4"}, HTTP_IDEMPOTENCY_KEY="k-4")
    assert response.status_code == 400 and "Idempotent-Replayed" not in response


def test_a_stay_batch_replayed_with_its_key_is_not_applied_twice(api):
    pms, _key = api()
    event = {
        "reservation_id": "R-I",
        "event": "checked_out",
        "version": 1,
        "event_at": "2026-11-01T10:00:00Z",
        "arrival_on": "2026-11-01",
        "departure_on": "2026-11-02",
        "pms_profile_id": "P-I",
        "guest": {"family_name": "He"},
    }
    first = pms.post("/api/v1/stays/events/batch/", {"events": [event]}, HTTP_IDEMPOTENCY_KEY="batch-1")
    again = pms.post("/api/v1/stays/events/batch/", {"events": [event]}, HTTP_IDEMPOTENCY_KEY="batch-1")
    assert first.json() == again.json() and first.json()["applied"] == 1


def test_old_records_are_purged_after_24_hours(api, tenants):
    pms, _key = api()
    pms.post(UPSERT, {"pms_profile_id": "I-5", "family_name": "Lu"}, HTTP_IDEMPOTENCY_KEY="old")
    records = IdempotencyRecord.objects.for_hotel(tenants.a.hotels[0])
    records.filter(key="old").update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert idempotency_records_purge() >= 1
    assert not records.filter(key="old").exists()
    assert records.filter(key="A-idem").exists() is False  # A's fixture key is "Alpha-idem", fresh
    assert records.filter(key="Alpha-idem").exists()


def test_too_many_requests_get_429_with_retry_after(api):
    pms, _key = api(rate_per_minute=3)
    codes = [pms.get("/api/v1/guests/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = pms.get("/api/v1/guests/")
    assert error_shape(response.json()) and response.json()["type"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    # Another key of the same hotel has its own budget.
    other, _k = api()
    assert other.get("/api/v1/guests/").status_code == 200


def test_malformed_bodies_headers_and_parameters_never_give_a_500(api, client):
    pms, _key = api()
    headers = pms.headers
    cases = [
        ("post", UPSERT, "{not json", "application/json"),
        ("post", UPSERT, "[]", "application/json"),
        ("post", UPSERT, "null", "application/json"),
        ("post", UPSERT, json.dumps({"pms_profile_id": "\x00", "family_name": "A" * 10_000}), "application/json"),
        (
            "post",
            UPSERT,
            json.dumps({"pms_profile_id": {"a": 1}, "vip_level": "many", "gender": 5}),
            "application/json",
        ),
        ("post", UPSERT, "pms_profile_id=1", "application/x-www-form-urlencoded"),
        ("post", UPSERT, "<xml/>", "application/xml"),
        ("post", "/api/v1/stays/events/", json.dumps({"events": "x"}), "application/json"),
        (
            "post",
            "/api/v1/stays/events/",
            json.dumps(
                {
                    "reservation_id": "R",
                    "event": "booked",
                    "event_at": "soon",
                    "arrival_on": "2026-02-30",
                    "departure_on": "x",
                    "version": -1,
                }
            ),
            "application/json",
        ),
        (
            "post",
            "/api/v1/stays/events/",
            json.dumps(
                {
                    "reservation_id": "R",
                    "event": "booked",
                    "version": 10**30,
                    "event_at": "2026-11-01T10:00:00Z",
                    "arrival_on": "2026-11-01",
                    "departure_on": "2026-11-02",
                    "guest_id": 10**30,
                }
            ),
            "application/json",
        ),
        (
            "post",
            "/api/v1/stays/events/batch/",
            json.dumps({"events": [None, 1, [], {"details": "x"}]}),
            "application/json",
        ),
        ("post", "/api/v1/stays/events/batch/", "\xff\xfe", "application/json"),
        ("patch", "/api/v1/guests/1/", "{", "application/json"),
    ]
    for method, path, body, content_type in cases:
        response = getattr(client, method)(path, body, content_type=content_type, **headers)
        assert response.status_code in (400, 404, 415), (path, body[:40], response.status_code, response.content[:300])
        assert error_shape(response.json()), (path, body[:40])
        assert "Traceback" not in response.content.decode()
    for params in (
        {"page_size": "-1"},
        {"page_size": "99999"},
        {"q": "\x00"},
        {"status": "x" * 500},
        {"updated_since": "2026-99-99"},
        {"cursor": "%%%"},
    ):
        response = pms.get("/api/v1/guests/", params)
        assert response.status_code in (200, 400), (params, response.status_code)
    for params in (
        {"email": "\x00@x"},
        {"document_number": "x" * 41},
        {"document_type": "nope", "document_number": "1"},
    ):
        assert pms.post("/api/v1/guests/lookup/", params).status_code in (200, 400), params
    for bad in ("", "   ", "x" * 300, "\x01"):
        response = pms.post(UPSERT, {"pms_profile_id": "Z", "family_name": "Z"}, HTTP_IDEMPOTENCY_KEY=bad)
        assert response.status_code in (200, 201, 400), repr(bad)
    assert pms.get("/api/v1/arrivals/", {"date": "0000-00-00"}).status_code == 400
    assert pms.get("/api/v1/guests/99999999999999999999999/").status_code == 404
