"""Complaints through the API: create, transitions, queue; key label in the timeline; other tenants 404."""

from complaints.models import ComplaintTransition
from tests.api.conftest import error_shape


def test_a_key_logs_a_complaint_and_moves_it_to_closed(api, tenants):
    pms, key = api()
    guest = tenants.a.guests[0]
    created = pms.post(
        "/api/v1/complaints/",
        {
            "category": "hygiene",
            "description": "Hair in the sink",
            "guest_id": guest.pk,
            "room_number": "1203",
            "severity": "high",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "received" and body["guest_name"] == guest.display_name
    url = f"/api/v1/complaints/{body['id']}/transition/"
    for action in ("acknowledge", "start", "resolve", "follow_up"):
        response = pms.post(url, {"action": action})
        assert response.status_code == 200, response.content
    refused = pms.post(url, {"action": "close"})
    assert refused.status_code == 400 and error_shape(refused.json())
    closed = pms.post(url, {"action": "close", "closing": {"outcome": "not_justified", "response_text": "Sorry"}})
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.content
    steps = ComplaintTransition.objects.for_org(tenants.a.organization).filter(complaint_id=body["id"])
    assert all(step.actor_label == key.label[:100] for step in steps)
    assert pms.post(url, {"action": "acknowledge"}).json()["type"] == "illegal_transition"
    stale = pms.post(url, {"action": "reopen", "expected_version": 1})
    assert stale.status_code == 400 and stale.json()["type"] == "complaint_conflict"


def test_the_queue_lists_the_hotels_open_complaints(api, tenants):
    pms, _key = api()
    pms.post("/api/v1/complaints/", {"category": "service", "description": "Slow check-in"})
    rows = pms.get("/api/v1/complaints/").json()["results"]
    assert any(row["description"] == "Slow check-in" for row in rows)
    assert "Bravo" not in str(rows)
    assert pms.get("/api/v1/complaints/", {"cursor": "zzz"}).status_code == 400


def test_scope_bad_input_and_other_organizations(api, tenants):
    reader, _key = api(scopes=["guests:read"])
    assert reader.get("/api/v1/complaints/").status_code == 403
    pms, _key = api()
    bad = pms.post("/api/v1/complaints/", {"category": "nope", "description": "", "guest_id": "x"})
    assert bad.status_code == 400 and {"category", "description", "guest_id"} <= set(bad.json()["field_errors"])
    foreign_guest = pms.post(
        "/api/v1/complaints/", {"category": "service", "description": "x", "guest_id": tenants.b.guests[0].pk}
    )
    assert foreign_guest.status_code == 400 and "guest_id" in foreign_guest.json()["field_errors"]
    from complaints.models import Complaint

    foreign = Complaint.objects.for_org(tenants.b.organization).first()
    answer = pms.post(f"/api/v1/complaints/{foreign.pk}/transition/", {"action": "acknowledge"})
    missing = pms.post("/api/v1/complaints/999999999/transition/", {"action": "acknowledge"})
    assert answer.status_code == missing.status_code == 404 and answer.json() == missing.json()
