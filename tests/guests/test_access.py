"""Access requests to confidential profiles: asking, deciding, expiry and early revocation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from guests import access
from guests.models import AccessRequest, AccessRequestStatus, GuestProfileUserObjectPermission
from hotelcrm.models import AuditEvent, Role
from tests.factories import GuestFactory


def _login(client, tenants, role, tenant="a"):
    client.force_login(getattr(tenants, tenant).users[role])
    return client


def _events(tenants, action):
    return list(AuditEvent.objects.for_org(tenants.a.organization).filter(action=action).order_by("id"))


def _grant_rows(tenant, user, guest):
    return GuestProfileUserObjectPermission.objects.for_org(tenant.organization).filter(user=user, content_object=guest)


def _fixture_request(tenants, tenant="a"):
    """The pending request of the fixture: front desk asked for the confidential guests[1]."""
    t = getattr(tenants, tenant)
    return AccessRequest.objects.for_org(t.organization).get(guest=t.guests[1], status=AccessRequestStatus.PENDING)


def _sensitive_status(client, guest):
    return client.get(reverse("guests:sensitive", kwargs={"guest_id": guest.pk})).status_code


# --- Asking ----------------------------------------------------------------------------------


def test_a_staff_member_requests_access_with_a_reason(client, tenants):
    user = tenants.a.users[Role.GUEST_RELATIONS]
    guest = tenants.a.guests[1]
    _login(client, tenants, Role.GUEST_RELATIONS)
    url = reverse("guests:access-request", kwargs={"guest_id": guest.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Arranging the VIP's airport pickup"}, follow=True)
    assert response.status_code == 200
    assert "waiting for a manager" in response.content.decode()
    created = AccessRequest.objects.for_org(tenants.a.organization).get(guest=guest, requested_by=user)
    assert created.status == AccessRequestStatus.PENDING and created.hotel == tenants.a.hotels[0]
    [event] = _events(tenants, "guest.access_requested")
    assert event.reason == "Arranging the VIP's airport pickup" and event.actor == user
    assert event.object_id == str(guest.pk)


def test_a_second_request_for_the_same_guest_says_one_is_already_waiting(tenants):
    desk = tenants.a.users[Role.FRONT_DESK]
    with pytest.raises(access.AccessRequestAlreadyWaiting):
        access.access_request_create(guest=tenants.a.guests[1], actor=desk, hotel=tenants.a.hotels[0], reason="again")
    assert AccessRequest.objects.for_org(tenants.a.organization).filter(requested_by=desk).count() == 1


def test_the_request_page_shows_the_waiting_request_instead_of_a_second_form(client, tenants):
    _login(client, tenants, Role.FRONT_DESK)
    url = reverse("guests:access-request", kwargs={"guest_id": tenants.a.guests[1].pk})
    body = client.get(url).content.decode()
    assert 'id="request-waiting"' in body and 'id="send-access-request"' not in body
    response = client.post(url, {"reason": "once more"})
    assert response.status_code == 200 and "already waiting" in response.content.decode()
    assert (
        AccessRequest.objects.for_org(tenants.a.organization)
        .filter(requested_by=tenants.a.users[Role.FRONT_DESK])
        .count()
        == 1
    )


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_request_needs_a_reason_of_at_most_500_characters(client, tenants, reason):
    _login(client, tenants, Role.GUEST_RELATIONS)
    response = client.post(
        reverse("guests:access-request", kwargs={"guest_id": tenants.a.guests[1].pk}), {"reason": reason}
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert (
        not AccessRequest.objects.for_org(tenants.a.organization)
        .filter(requested_by=tenants.a.users[Role.GUEST_RELATIONS])
        .exists()
    )


def test_someone_who_can_already_open_the_profile_is_sent_to_it(client, tenants):
    _login(client, tenants, Role.FRONT_DESK)
    response = client.get(reverse("guests:access-request", kwargs={"guest_id": tenants.a.guests[0].pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("guests:sensitive", kwargs={"guest_id": tenants.a.guests[0].pk})


# --- The queue -------------------------------------------------------------------------------


def test_managers_see_their_hotels_pending_requests_and_the_front_desk_does_not(client, tenants):
    other_hotel = AccessRequest.objects.create(
        organization=tenants.a.organization,
        hotel=tenants.a.hotels[1],
        guest=tenants.a.guests[1],
        requested_by=tenants.a.users[Role.GUEST_RELATIONS],
        reason="Riverside dinner booking",
    )
    url = reverse("guests:access-queue")
    body = _login(client, tenants, Role.MANAGER).get(url).content.decode()
    assert "Alpha VIP arrival" in body and "Riverside dinner booking" not in body
    body = _login(client, tenants, Role.GROUP_ADMIN).get(url).content.decode()
    assert "Alpha VIP arrival" in body and "Riverside dinner booking" in body
    assert "Bravo" not in body
    assert _login(client, tenants, Role.FRONT_DESK).get(url).status_code == 403
    assert _login(client, tenants, Role.GUEST_RELATIONS).get(url).status_code == 403
    # A manager cannot decide a request of a hotel they do not manage: it answers like a missing one.
    response = _login(client, tenants, Role.MANAGER).post(
        reverse("guests:access-approve", kwargs={"request_id": other_hotel.pk}), {"duration": "1h"}
    )
    assert response.status_code == 404


def test_the_queue_runs_a_constant_number_of_queries(client, tenants, django_assert_max_num_queries):
    _login(client, tenants, Role.GROUP_ADMIN)
    url = reverse("guests:access-queue")
    client.get(url)
    for i in range(12):
        guest = GuestFactory(organization=tenants.a.organization, is_confidential=True)
        pending = AccessRequest.objects.create(
            organization=tenants.a.organization,
            hotel=tenants.a.hotels[i % 2],
            guest=guest,
            requested_by=tenants.a.users[Role.FRONT_DESK],
            reason=f"reason {i}",
        )
        if i % 3 == 0:
            access.access_request_approve(
                access_request=pending,
                actor=tenants.a.users[Role.MANAGER],
                expires_at=timezone.now() + datetime.timedelta(hours=1),
            )
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count("approve-button") == 9


# --- Deciding --------------------------------------------------------------------------------


def test_approving_grants_the_permission_for_the_chosen_time_and_is_audited(client, tenants):
    pending = _fixture_request(tenants)
    desk, guest = tenants.a.users[Role.FRONT_DESK], tenants.a.guests[1]
    assert _sensitive_status(_login(client, tenants, Role.FRONT_DESK), guest) == 403
    before = timezone.now()
    response = _login(client, tenants, Role.MANAGER).post(
        reverse("guests:access-approve", kwargs={"request_id": pending.pk}),
        {"duration": "8h", "note": "ok for tonight"},
        follow=True,
    )
    assert "Access granted." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.APPROVED and pending.decided_by == tenants.a.users[Role.MANAGER]
    assert before + datetime.timedelta(hours=8) <= pending.expires_at <= timezone.now() + datetime.timedelta(hours=8)
    [row] = _grant_rows(tenants.a, desk, guest)
    assert row.organization_id == tenants.a.organization.pk
    assert desk.has_perm(f"guests.{access.OPEN_CONFIDENTIAL}", guest)
    [event] = _events(tenants, "guest.access_granted")
    assert event.reason == "Alpha VIP arrival" and event.extra["note"] == "ok for tonight"
    assert event.extra["grantee_id"] == desk.pk and event.object_id == str(guest.pk)
    assert _sensitive_status(_login(client, tenants, Role.FRONT_DESK), guest) == 200


def test_approving_twice_is_refused_and_grants_once(client, tenants):
    pending = _fixture_request(tenants)
    url = reverse("guests:access-approve", kwargs={"request_id": pending.pk})
    _login(client, tenants, Role.MANAGER).post(url, {"duration": "1h"})
    response = _login(client, tenants, Role.GROUP_ADMIN).post(url, {"duration": "7d"}, follow=True)
    assert "already decided" in response.content.decode()
    with pytest.raises(access.AccessRequestAlreadyDecided):
        access.access_request_deny(access_request=pending, actor=tenants.a.users[Role.GROUP_ADMIN], note="no")
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.APPROVED and pending.decided_by == tenants.a.users[Role.MANAGER]
    assert pending.expires_at < timezone.now() + datetime.timedelta(hours=2)
    assert len(_events(tenants, "guest.access_granted")) == 1 and not _events(tenants, "guest.access_denied")


def test_a_denied_user_still_cannot_open_the_profile(client, tenants):
    pending = _fixture_request(tenants)
    response = _login(client, tenants, Role.MANAGER).post(
        reverse("guests:access-deny", kwargs={"request_id": pending.pk}),
        {"note": "Guest asked for no calls"},
        follow=True,
    )
    assert "Request denied." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.DENIED and pending.decision_note == "Guest asked for no calls"
    assert not _grant_rows(tenants.a, tenants.a.users[Role.FRONT_DESK], tenants.a.guests[1]).exists()
    [event] = _events(tenants, "guest.access_denied")
    assert event.reason == "Alpha VIP arrival" and event.extra["note"] == "Guest asked for no calls"
    assert _sensitive_status(_login(client, tenants, Role.FRONT_DESK), tenants.a.guests[1]) == 403
    # Deciding again is refused, by either path.
    response = _login(client, tenants, Role.MANAGER).post(
        reverse("guests:access-approve", kwargs={"request_id": pending.pk}), {"duration": "1h"}, follow=True
    )
    assert "already decided" in response.content.decode()
    assert not _grant_rows(tenants.a, tenants.a.users[Role.FRONT_DESK], tenants.a.guests[1]).exists()


def test_denying_needs_a_note(client, tenants):
    pending = _fixture_request(tenants)
    response = _login(client, tenants, Role.MANAGER).post(
        reverse("guests:access-deny", kwargs={"request_id": pending.pk}), {"note": ""}, follow=True
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.PENDING


@pytest.mark.parametrize(
    "data",
    [
        {"duration": "custom", "expires_at": ""},
        {"duration": "custom", "expires_at": "2001-01-01T10:00"},
        {"duration": "custom", "expires_at": "not a date"},
        {"duration": "custom", "expires_at": "+31 days"},
        {"duration": "forever"},
        {"duration": "1h", "note": "n" * 501},
    ],
)
def test_an_expiry_in_the_past_or_beyond_30_days_is_refused(client, tenants, data):
    if data.get("expires_at") == "+31 days":
        data = {**data, "expires_at": (timezone.now() + datetime.timedelta(days=31)).strftime("%Y-%m-%dT%H:%M")}
    pending = _fixture_request(tenants)
    response = _login(client, tenants, Role.MANAGER).post(
        reverse("guests:access-approve", kwargs={"request_id": pending.pk}), data, follow=True
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.PENDING
    assert not _events(tenants, "guest.access_granted")


def test_an_explicit_end_is_read_as_a_time_at_the_managers_hotel(client, tenants):
    pending = _fixture_request(tenants)
    hotel_tz = tenants.a.hotels[0].tz  # Asia/Shanghai
    local_end = (timezone.localtime(timezone.now(), hotel_tz) + datetime.timedelta(days=2)).replace(
        second=0, microsecond=0
    )
    _login(client, tenants, Role.MANAGER).post(
        reverse("guests:access-approve", kwargs={"request_id": pending.pk}),
        {"duration": "custom", "expires_at": local_end.strftime("%Y-%m-%dT%H:%M")},
    )
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.APPROVED
    assert pending.expires_at == local_end


def test_the_service_refuses_a_naive_past_or_too_long_expiry(tenants):
    pending = _fixture_request(tenants)
    manager = tenants.a.users[Role.MANAGER]
    for expires_at in (
        datetime.datetime(2030, 1, 1),
        timezone.now() - datetime.timedelta(minutes=1),
        timezone.now() + datetime.timedelta(days=30, minutes=1),
    ):
        with pytest.raises(access.InvalidGrantExpiry):
            access.access_request_approve(access_request=pending, actor=manager, expires_at=expires_at)
    pending.refresh_from_db()
    assert pending.status == AccessRequestStatus.PENDING


def test_a_requester_cannot_decide_their_own_request(tenants):
    manager = tenants.a.users[Role.MANAGER]
    own = AccessRequest.objects.create(
        organization=tenants.a.organization,
        hotel=tenants.a.hotels[0],
        guest=tenants.a.guests[1],
        requested_by=manager,
        reason="mine",
    )
    with pytest.raises(access.AccessRequestError):
        access.access_request_approve(
            access_request=own, actor=manager, expires_at=timezone.now() + datetime.timedelta(hours=1)
        )


def test_the_front_desk_cannot_decide_and_foreign_ids_answer_404(client, tenants):
    a_request, b_request = _fixture_request(tenants), _fixture_request(tenants, "b")
    for name in ("access-approve", "access-deny", "access-revoke"):
        a_url = reverse(f"guests:{name}", kwargs={"request_id": a_request.pk})
        b_url = reverse(f"guests:{name}", kwargs={"request_id": b_request.pk})
        data = {"duration": "1h", "note": "x"}
        assert _login(client, tenants, Role.FRONT_DESK).post(a_url, data).status_code == 403
        assert _login(client, tenants, Role.FRONT_DESK).post(b_url, data).status_code == 404
        assert _login(client, tenants, Role.GROUP_ADMIN).post(b_url, data).status_code == 404
    for name in ("access-request", "sensitive"):
        url = reverse(f"guests:{name}", kwargs={"guest_id": tenants.b.guests[1].pk})
        assert _login(client, tenants, Role.FRONT_DESK).get(url).status_code == 404
        assert _login(client, tenants, Role.FRONT_DESK).post(url, {"reason": "guest_at_desk"}).status_code == 404
    b_request.refresh_from_db()
    assert b_request.status == AccessRequestStatus.PENDING
    assert not AccessRequest.objects.for_org(tenants.b.organization).exclude(pk=b_request.pk).exists()


# --- Ending access ---------------------------------------------------------------------------


def _approve(tenants, hours=1, tenant="a"):
    t = getattr(tenants, tenant)
    pending = _fixture_request(tenants, tenant)
    return access.access_request_approve(
        access_request=pending, actor=t.users[Role.MANAGER], expires_at=timezone.now() + datetime.timedelta(hours=hours)
    )


def _make_expired(grant):
    AccessRequest.objects.for_org(grant.organization_id).filter(pk=grant.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )


def test_a_manager_revokes_a_grant_early(client, tenants):
    grant = _approve(tenants)
    desk, guest = tenants.a.users[Role.FRONT_DESK], tenants.a.guests[1]
    body = _login(client, tenants, Role.MANAGER).get(reverse("guests:access-queue")).content.decode()
    assert f'id="access-grant-{grant.pk}"' in body
    response = client.post(
        reverse("guests:access-revoke", kwargs={"request_id": grant.pk}), {"note": "stay over"}, follow=True
    )
    assert "Access revoked." in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == AccessRequestStatus.REVOKED
    assert not _grant_rows(tenants.a, desk, guest).exists()
    [event] = _events(tenants, "guest.access_revoked")
    assert event.extra["cause"] == "manager" and event.reason == "stay over"
    assert _sensitive_status(_login(client, tenants, Role.FRONT_DESK), guest) == 403
    response = _login(client, tenants, Role.MANAGER).post(
        reverse("guests:access-revoke", kwargs={"request_id": grant.pk}), {}, follow=True
    )
    assert "no longer granted" in response.content.decode()
    assert len(_events(tenants, "guest.access_revoked")) == 1


def test_the_expiry_job_revokes_only_expired_grants_and_only_once(client, tenants):
    expired, running = _approve(tenants), _approve(tenants, tenant="b")
    _make_expired(expired)
    desk, guest = tenants.a.users[Role.FRONT_DESK], tenants.a.guests[1]
    # The lapsed grant stops opening the profile at once; the job then removes its row.
    assert _grant_rows(tenants.a, desk, guest).exists()
    assert _sensitive_status(_login(client, tenants, Role.FRONT_DESK), guest) == 403

    assert access.access_grants_revoke_expired(now=timezone.now()) == 1
    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.status == AccessRequestStatus.EXPIRED and running.status == AccessRequestStatus.APPROVED
    assert not _grant_rows(tenants.a, desk, guest).exists()
    assert _grant_rows(tenants.b, tenants.b.users[Role.FRONT_DESK], tenants.b.guests[1]).exists()
    [event] = _events(tenants, "guest.access_revoked")
    assert event.extra["cause"] == "expired" and event.actor is None and event.actor_label == access.EXPIRY_JOB_LABEL
    assert _sensitive_status(_login(client, tenants, Role.FRONT_DESK), guest) == 403

    assert access.access_grants_revoke_expired(now=timezone.now()) == 0
    assert len(_events(tenants, "guest.access_revoked")) == 1


def test_an_expired_grant_keeps_the_permission_while_a_later_grant_still_runs(tenants):
    first = _approve(tenants)
    desk, guest = tenants.a.users[Role.FRONT_DESK], tenants.a.guests[1]
    later = AccessRequest.objects.create(
        organization=tenants.a.organization,
        hotel=tenants.a.hotels[0],
        guest=guest,
        requested_by=desk,
        reason="second shift",
    )
    access.access_request_approve(
        access_request=later,
        actor=tenants.a.users[Role.MANAGER],
        expires_at=timezone.now() + datetime.timedelta(days=2),
    )
    _make_expired(first)
    assert access.access_grants_revoke_expired(now=timezone.now()) == 1
    assert _grant_rows(tenants.a, desk, guest).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_revokes_an_expired_grant(tenants, celery_worker_process):
    from guests.tasks import revoke_expired_access_grants_task

    grant = _approve(tenants)
    _make_expired(grant)
    desk, guest = tenants.a.users[Role.FRONT_DESK], tenants.a.guests[1]
    assert _grant_rows(tenants.a, desk, guest).exists()

    assert revoke_expired_access_grants_task.delay().get(timeout=60) == 1
    grant.refresh_from_db()
    assert grant.status == AccessRequestStatus.EXPIRED
    assert not _grant_rows(tenants.a, desk, guest).exists()
    assert revoke_expired_access_grants_task.delay().get(timeout=60) == 0
    assert len(_events(tenants, "guest.access_revoked")) == 1


def test_the_expiry_job_is_on_the_beat_schedule(settings):
    entries = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "guests.tasks.revoke_expired_access_grants_task"
    ]
    assert len(entries) == 1 and entries[0]["schedule"] <= 300


@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_at_once_grant_once(tenants):
    """The row lock: both start together, one wins, the other sees the decision and is refused."""
    import threading

    from django.db import connections

    pending = _fixture_request(tenants)
    deciders = [tenants.a.users[Role.MANAGER], tenants.a.users[Role.GROUP_ADMIN]]
    barrier = threading.Barrier(len(deciders))
    outcomes = []

    def decide(actor):
        try:
            barrier.wait()
            access.access_request_approve(
                access_request=pending, actor=actor, expires_at=timezone.now() + datetime.timedelta(hours=1)
            )
            outcomes.append("granted")
        except access.AccessRequestAlreadyDecided:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(actor,)) for actor in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["granted", "refused"]
    assert len(_events(tenants, "guest.access_granted")) == 1
    assert _grant_rows(tenants.a, tenants.a.users[Role.FRONT_DESK], tenants.a.guests[1]).count() == 1
