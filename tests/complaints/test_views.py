"""Complaint pages: queue and board in constant queries, quick log, actions, bad input, photos, feedback."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, Status
from hotelcrm.models import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def _login(client, tenant, role=Role.GUEST_RELATIONS):
    client.force_login(tenant.users[role])
    return tenant.users[role]


def _complaints(tenant, n, *, spread=False, **kwargs):
    # spread: some breached (30 h old) and some due soon (23 h old), so every filter has rows.
    hours = [0, 23, 30, 5, 12] if spread else list(range(n))
    return [
        services.complaint_create(
            hotel=tenant.hotels[0],
            actor=tenant.users[Role.FRONT_DESK],
            category="hygiene",
            description=f"Dusty shelf {i}",
            guest=tenant.guests[i % 2],
            assignee=tenant.users[Role.GUEST_RELATIONS],
            room_number=f"{300 + i}",
            received_at=timezone.now() - datetime.timedelta(hours=hours[i % len(hours)]),
            **kwargs,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/complaints/",
        "/complaints/board/",
        "/complaints/?status=all&category=hygiene",
        "/complaints/?breached=on",
        "/complaints/?due_soon=on&assignee=me",
    ],
)
def test_lists_take_the_same_number_of_queries_for_5_or_40_complaints(
    client, tenants, django_assert_max_num_queries, path
):
    _login(client, tenants.a)
    _complaints(tenants.a, 5, spread=True)
    with django_assert_max_num_queries(20) as few:
        assert client.get(path).status_code == 200
    _complaints(tenants.a, 35, spread=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200


def test_the_queue_filters_and_shows_only_this_hotel(client, tenants):
    _login(client, tenants.a)
    mine = _complaints(tenants.a, 3)
    other_hotel = services.complaint_create(
        hotel=tenants.a.hotels[1], actor=None, category="service", description="Elsewhere"
    )
    body = client.get("/complaints/?status=all").content.decode()
    assert all(f'/complaints/{c.pk}/"' in body for c in mine)
    assert f'/complaints/{other_hotel.pk}/"' not in body
    assert f'/complaints/{mine[0].pk}/"' not in client.get("/complaints/?category=facility").content.decode()
    # Received 2 hours ago, due in 22: not breached; none is.
    assert "complaint-queue-empty" in client.get("/complaints/?breached=on").content.decode()


@pytest.mark.parametrize(
    "query", ["status=bogus", "category=%00", "assignee=';drop", "page=-1", "page=abc", "due_soon=maybe&breached=2"]
)
def test_malformed_filters_never_error(client, tenants, query):
    _login(client, tenants.a)
    assert client.get(f"/complaints/?{query}").status_code == 200


def test_the_front_desk_logs_a_complaint_in_a_few_fields(client, tenants):
    _login(client, tenants.a, Role.FRONT_DESK)
    guest = tenants.a.guests[0]
    assert client.get(f"/complaints/new/?guest={guest.pk}&room=512").status_code == 200
    response = client.post(
        "/complaints/new/",
        {
            "category": "facility",
            "severity": "high",
            "channel": "in_person",
            "room_number": "512",
            "description": "Air conditioning is loud",
            "guest_id": guest.pk,
        },
    )
    complaint = Complaint.objects.for_org(tenants.a.organization).get(description="Air conditioning is loud")
    assert response.status_code == 302 and response["Location"] == f"/complaints/{complaint.pk}/"
    assert (complaint.guest, complaint.status, complaint.hotel) == (guest, Status.RECEIVED, tenants.a.hotels[0])


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"category": "nonsense", "description": "x"},
        {"category": "facility"},
        {"category": "facility", "description": "x" * 5000},
        {"category": "facility", "description": "ok", "guest_id": "abc"},
        {"category": "facility", "description": "ok", "severity": "apocalyptic"},
    ],
)
def test_quick_log_answers_bad_input_with_the_form(client, tenants, data):
    _login(client, tenants.a, Role.FRONT_DESK)
    response = client.post("/complaints/new/", data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_quick_log_ignores_a_guest_of_another_organization(client, tenants):
    _login(client, tenants.a, Role.FRONT_DESK)
    client.post(
        "/complaints/new/",
        {
            "category": "facility",
            "description": "Foreign guest id",
            "guest_id": tenants.b.guests[0].pk,
            "severity": "low",
            "channel": "phone",
        },
    )
    assert Complaint.objects.for_org(tenants.a.organization).get(description="Foreign guest id").guest is None


def test_moving_through_the_workflow_on_the_page(client, tenants):
    _login(client, tenants.a)
    complaint = _complaints(tenants.a, 1)[0]
    url = f"/complaints/{complaint.pk}/"
    for version, action in enumerate(["acknowledge", "start", "resolve", "follow_up"], start=1):
        response = client.post(url + "step/", {"action": action, "version": version, "note": "ok"})
        assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "close-form" in page and "Follow-up done" in page
    response = client.post(
        url + "close/",
        {
            "version": 5,
            "outcome": "justified",
            "response_language": "en",
            "response_text": "Sorry",
            "root_cause": "Rushed cleaning",
            "corrective_action": "Checklist per room",
            "satisfaction": "5",
        },
    )
    assert response.status_code == 302
    assert Complaint.objects.for_org(tenants.a.organization).get(pk=complaint.pk).status == Status.CLOSED


def test_a_stale_form_gets_the_conflict_message(client, tenants):
    _login(client, tenants.a)
    complaint = _complaints(tenants.a, 1)[0]
    url = f"/complaints/{complaint.pk}/step/"
    client.post(url, {"action": "acknowledge", "version": 1})
    response = client.post(url, {"action": "cancel", "version": 1, "note": "dup"}, follow=True)
    assert "Someone else changed this complaint" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "fly", "version": 1},
        {"action": "resolve", "version": "x"},
        {"action": "resolve", "version": 1},
        {"action": "close", "version": 1},
        {"action": "cancel", "version": 1},
    ],
)
def test_bad_steps_are_refused_with_a_message(client, tenants, data):
    _login(client, tenants.a)
    complaint = _complaints(tenants.a, 1)[0]
    response = client.post(f"/complaints/{complaint.pk}/step/", data, follow=True)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert Complaint.objects.for_org(tenants.a.organization).get(pk=complaint.pk).status == Status.RECEIVED


def test_the_front_desk_may_acknowledge_but_not_resolve(client, tenants):
    _login(client, tenants.a, Role.FRONT_DESK)
    complaint = _complaints(tenants.a, 1)[0]
    client.post(f"/complaints/{complaint.pk}/step/", {"action": "acknowledge", "version": 1})
    client.post(f"/complaints/{complaint.pk}/step/", {"action": "start", "version": 2})
    response = client.post(f"/complaints/{complaint.pk}/step/", {"action": "resolve", "version": 3}, follow=True)
    assert "Guest relations or a manager" in response.content.decode()
    assert Complaint.objects.for_org(tenants.a.organization).get(pk=complaint.pk).status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    "data",
    [
        {"version": 1},
        {"version": 1, "outcome": "justified", "response_language": "en", "response_text": "x"},
        {"version": "abc", "outcome": "?"},
    ],
)
def test_a_bad_close_shows_the_form_with_errors(client, tenants, data):
    _login(client, tenants.a)
    complaint = _complaints(tenants.a, 1)[0]
    for action in ("acknowledge", "start", "resolve", "follow_up"):
        complaint = services.complaint_transition(complaint=complaint, action=action, actor=None)
    data = {**data, "version": complaint.version} if data.get("version") == 1 else data
    response = client.post(f"/complaints/{complaint.pk}/close/", data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_photos_are_type_and_size_checked_and_served_only_through_the_view(client, tenants, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _login(client, tenants.a)
    complaint = _complaints(tenants.a, 1)[0]
    url = f"/complaints/{complaint.pk}/photos/"
    fake = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>" * 10, content_type="image/jpeg")
    response = client.post(url, {"file": fake})
    assert response.status_code == 400 and "Only photos can be attached" in response.content.decode()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    response = client.post(url, {"file": big})
    assert response.status_code == 400 and "too large" in response.content.decode()
    assert client.post(url, {}).status_code == 400
    renamed = SimpleUploadedFile("photo.txt", JPEG, content_type="text/plain")
    assert client.post(url, {"file": renamed}).status_code == 302
    attachment = complaint.attachments.get()
    assert attachment.content_type == "image/jpeg"
    served = client.get(f"{url}{attachment.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == JPEG
    assert served["X-Content-Type-Options"] == "nosniff"
    client.force_login(tenants.b.users[Role.GROUP_ADMIN])
    assert client.get(f"{url}{attachment.pk}/").status_code == 404


def test_compensation_above_the_limit_is_approved_by_a_manager_on_the_page(client, tenants):
    _login(client, tenants.a)
    complaint = _complaints(tenants.a, 1)[0]
    response = client.post(f"/complaints/{complaint.pk}/compensation/", {"kind": "amount", "amount": "800"})
    assert response.status_code == 302
    compensation = complaint.compensations.get()
    assert compensation.status == "proposed"
    decide = f"/complaints/{complaint.pk}/compensation/{compensation.pk}/decide/"
    client.post(decide, {"decision": "approve"})
    compensation.refresh_from_db()
    assert compensation.status == "proposed"  # guest relations cannot approve
    _login(client, tenants.a, Role.MANAGER)
    client.post(decide, {"decision": "approve", "note": "Goodwill"})
    compensation.refresh_from_db()
    assert compensation.status == "approved"
    bad = client.post(f"/complaints/{complaint.pk}/compensation/", {"kind": "gift", "gift": ""})
    assert bad.status_code == 400 and "Describe the gift" in bad.content.decode()


def test_the_checklist_ticks(client, tenants):
    _login(client, tenants.a)
    complaint = _complaints(tenants.a, 1)[0]
    item = complaint.checklist.first()
    client.post(f"/complaints/{complaint.pk}/checklist/{item.pk}/", {"done": "1"})
    item.refresh_from_db()
    assert item.done_at is not None


def _resolved(tenant):
    complaint = _complaints(tenant, 1)[0]
    for action in ("acknowledge", "start", "resolve"):
        complaint = services.complaint_transition(complaint=complaint, action=action, actor=None)
    return complaint


def test_a_low_score_on_the_guest_s_page_reopens_and_flags_the_case(client, tenants):
    complaint = _resolved(tenants.a)
    _login(client, tenants.a)
    page = client.post(f"/complaints/{complaint.pk}/feedback-link/").content.decode()
    link = page.split('id="feedback-link-value" size="40"')[0].rsplit('value="', 1)[1].split('"')[0]
    path = link.split("testserver", 1)[1]
    client.logout()
    assert client.get(path).status_code == 200
    response = client.post(path, {"score": "1", "comment": "Still cold"})
    assert response.status_code == 200 and "feedback-thanks" in response.content.decode()
    fresh = Complaint.objects.for_org(tenants.a.organization).get(pk=complaint.pk)
    assert (fresh.status, fresh.is_flagged, fresh.satisfaction, fresh.satisfaction_source) == (
        Status.IN_PROGRESS,
        True,
        1,
        "guest",
    )
    assert fresh.transitions.last().actor_label == "guest"
    assert client.get(path).status_code == 404  # single use
    assert client.post(path, {"score": "5"}).status_code == 404


def test_a_good_score_is_recorded_without_reopening(tenants):
    complaint = _resolved(tenants.a)
    _token, raw = services.feedback_link_create(complaint=complaint, actor=None)
    fresh = services.feedback_submit(raw_token=raw, score=5, comment="Thanks")
    assert (fresh.status, fresh.is_flagged, fresh.satisfaction) == (Status.RESOLVED, False, 5)


@pytest.mark.parametrize("token", ["x", "a" * 43, "a" * 500, "%00"])
def test_unknown_or_odd_feedback_links_answer_404(client, db, token):
    assert client.get(f"/complaints/feedback/{token}/").status_code == 404


def test_an_expired_feedback_link_answers_404(client, tenants):
    complaint = _resolved(tenants.a)
    token, raw = services.feedback_link_create(complaint=complaint, actor=None)
    token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    assert client.get(f"/complaints/feedback/{raw}/").status_code == 404


def test_a_bad_score_is_a_form_error(client, tenants):
    _token, raw = services.feedback_link_create(complaint=_resolved(tenants.a), actor=None)
    response = client.post(f"/complaints/feedback/{raw}/", {"score": "9"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_the_analysis_page_groups_root_causes_by_department_and_category(
    client, tenants, django_assert_max_num_queries
):
    complaint = _resolved(tenants.a)
    for action in ("follow_up",):
        complaint = services.complaint_transition(complaint=complaint, action=action, actor=None)
    services.complaint_transition(
        complaint=complaint,
        action="close",
        actor=None,
        closing={
            "outcome": "justified",
            "response_text": "Sorry",
            "root_cause": "Shelf skipped in the checklist",
            "corrective_action": "Shelf added to the checklist",
        },
    )
    _login(client, tenants.a, Role.MANAGER)
    with django_assert_max_num_queries(15):
        body = client.get("/complaints/analysis/").content.decode()
    assert "root-cause-table" in body and "Hygiene" in body
    detail = client.get("/complaints/analysis/?department=none&category=hygiene").content.decode()
    assert "Shelf added to the checklist" in detail
    assert client.get("/complaints/analysis/?days=abc&department=';&category=zz").status_code == 200
    _login(client, tenants.a, Role.FRONT_DESK)
    assert client.get("/complaints/analysis/").status_code == 403


def test_the_detail_page_in_both_languages(client, tenants):
    _login(client, tenants.a)
    complaint = _complaints(tenants.a, 1)[0]
    assert "Six steps" in client.get(f"/complaints/{complaint.pk}/").content.decode()
    client.cookies["django_language"] = "zh-hans"
    body = client.get(f"/complaints/{complaint.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "六步" in body
