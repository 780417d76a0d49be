"""The sensitive section of a profile: opened with a reason, each look audited, consent respected."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guests import services
from hotelcrm.models import AuditEvent, Role
from tests.factories import GuestFactory, PreferenceTypeFactory


def _url(guest):
    return reverse("guests:sensitive", kwargs={"guest_id": guest.pk})


def _views(tenants):
    return list(AuditEvent.objects.for_org(tenants.a.organization).filter(action="guest.view_sensitive").order_by("id"))


@pytest.fixture
def consenting_guest(tenants):
    """A guest who gave separate consent, with a document, an allergy and contacts."""
    desk = tenants.a.users[Role.FRONT_DESK]
    guest = GuestFactory(organization=tenants.a.organization, family_name="Lin", given_name="Hua")
    services.guest_sensitive_consent_record(guest=guest, purpose="Allergy-safe dining", actor=desk)
    services.guest_document_set(guest=guest, document_type="passport", raw_number="E12345678", actor=desk)
    services.guest_contact_add(guest=guest, kind="email", raw_value="lin.hua@example.test", actor=desk)
    services.guest_birth_date_set(guest=guest, birth_date=datetime.date(1975, 3, 9), actor=desk)
    allergy = PreferenceTypeFactory(
        organization=tenants.a.organization, code="test-allergies", name="Allergies", is_sensitive=True
    )
    services.guest_preference_set(guest=guest, preference_type=allergy, value="Peanuts", actor=desk)
    guest.address = "88 Nanjing Road, Shanghai"
    guest.save(update_fields=["address"])
    return guest


def test_get_shows_only_the_reason_form_and_records_nothing(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    response = client.get(_url(tenants.a.guests[0]))
    body = response.content.decode()
    assert response.status_code == 200 and 'id="sensitive-reason"' in body
    assert "alpha.guest@example.test" not in body and "1980-05-17" not in body
    assert not _views(tenants)


def test_a_reason_opens_the_details_and_writes_exactly_one_audit_event(client, tenants):
    desk, guest = tenants.a.users[Role.FRONT_DESK], tenants.a.guests[0]
    client.force_login(desk)
    response = client.post(_url(guest), {"reason": "complaint_handling"}, REMOTE_ADDR="203.0.113.9")
    body = response.content.decode()
    assert response.status_code == 200
    assert "alpha.guest@example.test" in body and "+8613800138000" in body and "1980-05-17" in body
    [event] = _views(tenants)
    assert event.actor == desk and event.hotel == tenants.a.hotels[0] and event.ip_address == "203.0.113.9"
    assert event.object_type == "guests.guestprofile" and event.object_id == str(guest.pk)
    assert event.reason == "Complaint handling" and event.extra["reason_code"] == "complaint_handling"
    assert set(event.fields) == {"contact:email", "contact:phone", "birth_date", "address"}
    client.post(_url(guest), {"reason": "other", "other_text": "Lost passport enquiry"})
    assert [e.reason for e in _views(tenants)] == ["Complaint handling", "Other: Lost passport enquiry"]


def test_the_reason_is_recorded_in_english_whatever_the_users_language(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    client.post(_url(tenants.a.guests[0]), {"reason": "guest_at_desk"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _views(tenants)[0].reason == "Guest at the desk"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"reason": "curiosity"},
        {"reason": "other"},
        {"reason": "other", "other_text": "   "},
        {"reason": "other", "other_text": "x" * 201},
    ],
)
def test_without_a_valid_reason_nothing_is_shown_or_recorded(client, tenants, data):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    response = client.post(_url(tenants.a.guests[0]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error"' in body and "alpha.guest@example.test" not in body
    assert not _views(tenants)


def test_without_separate_consent_document_and_health_stay_closed(client, tenants, consenting_guest):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    body = client.post(_url(consenting_guest), {"reason": "arrival_preparation"}).content.decode()
    assert (
        "E12345678" in body and "Peanuts" in body and "88 Nanjing Road" in body and 'id="sensitive-closed"' not in body
    )
    [event] = _views(tenants)
    assert {"document_type", "document_number", "preference:test-allergies", "contact:email"} <= set(event.fields)

    consenting_guest.sensitive_consent = False  # consent withdrawn: the values stay but must not show
    consenting_guest.save(update_fields=["sensitive_consent"])
    body = client.post(_url(consenting_guest), {"reason": "arrival_preparation"}).content.decode()
    assert 'id="sensitive-closed"' in body and "no separate consent" in body
    assert "E12345678" not in body and "Peanuts" not in body
    assert "lin.hua@example.test" in body
    last = _views(tenants)[-1]
    assert "document_number" not in last.fields and "preference:test-allergies" not in last.fields


def test_a_confidential_profile_answers_403_with_the_request_link_and_no_personal_data(client, tenants):
    guest = tenants.a.guests[1]
    services.guest_contact_add(
        guest=guest, kind="email", raw_value="secret.vip@example.test", actor=tenants.a.users[Role.MANAGER]
    )
    client.force_login(tenants.a.users[Role.GUEST_RELATIONS])
    for response in (client.get(_url(guest)), client.post(_url(guest), {"reason": "guest_at_desk"})):
        body = response.content.decode()
        assert response.status_code == 403
        assert reverse("guests:access-request", kwargs={"guest_id": guest.pk}) in body
        for secret in ("secret.vip@example.test", guest.family_name, guest.given_name, guest.native_name):
            assert secret not in body
    assert not _views(tenants)
    # The front desk already asked: the page says the request is waiting.
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert 'id="request-waiting"' in client.get(_url(guest)).content.decode()
    # A manager opens it by role, and the look is recorded.
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.post(_url(guest), {"reason": "guest_request"})
    assert response.status_code == 200 and "secret.vip@example.test" in response.content.decode()
    assert len(_views(tenants)) == 1


def test_another_organizations_guest_answers_404(client, tenants):
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    for guest in tenants.b.guests:
        assert client.get(_url(guest)).status_code == 404
        response = client.post(_url(guest), {"reason": "guest_at_desk"})
        assert response.status_code == 404 and "bravo" not in response.content.decode().lower()
    assert not AuditEvent.objects.for_org(tenants.b.organization).filter(action="guest.view_sensitive").exists()


def test_the_section_runs_a_constant_number_of_queries(
    client, tenants, consenting_guest, django_assert_max_num_queries
):
    client.force_login(tenants.a.users[Role.FRONT_DESK])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.post(_url(consenting_guest), {"reason": "guest_at_desk"}).status_code == 200
        return len(queries)

    before = count()
    desk = tenants.a.users[Role.FRONT_DESK]
    for i in range(5):
        services.guest_contact_add(guest=consenting_guest, kind="phone", raw_value=f"+861380013810{i}", actor=desk)
        kind = PreferenceTypeFactory(organization=tenants.a.organization, is_sensitive=True)
        services.guest_preference_set(guest=consenting_guest, preference_type=kind, value=f"diet {i}", actor=desk)
    assert count() == before
    # The request's own queries (session, membership, two-factor, activity stamp) and a hash-chained audit event.
    with django_assert_max_num_queries(17):
        client.post(_url(consenting_guest), {"reason": "guest_at_desk"})
