import datetime
import json
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from guests import data_rights, services
from guests.models import GuestContact, GuestPreference, GuestProfile, SpecialDate, Stay
from guests.selectors import guests_by_contact, guests_by_document
from hotelcrm.models import AuditEvent, Role
from tests.factories import PreferenceTypeFactory, StayFactory


def _full_guest(tenants):
    guest = tenants.a.guests[0]  # has email, phone, birth date, a lunar birthday and a pillow preference
    manager = tenants.a.users[Role.MANAGER]
    services.guest_sensitive_consent_record(guest=guest, purpose="Allergy care", actor=manager)
    services.guest_document_set(guest=guest, document_type="passport", raw_number="E98765432", actor=manager)
    allergy = PreferenceTypeFactory(organization=tenants.a.organization, code="allergy", is_sensitive=True)
    services.guest_preference_set(guest=guest, preference_type=allergy, value="Shellfish", actor=manager)
    guest.address = "1 Bund Road, Shanghai"
    guest.notes = "Prefers the river view"
    guest.tags = ["golf"]
    guest.consent_email = True
    guest.save()
    for hotel in tenants.a.hotels:
        StayFactory(
            hotel=hotel,
            organization=tenants.a.organization,
            guest=guest,
            status="checked_out",
            room_revenue=Decimal("1000.00"),
            fb_revenue=Decimal("250.50"),
        )
    return GuestProfile.objects.for_org(tenants.a.organization).get(pk=guest.pk)


def _revenue(organization):
    return Stay.objects.for_org(organization).aggregate(
        room=Sum("room_revenue"), fb=Sum("fb_revenue"), other=Sum("other_revenue")
    )


# --- access: everything held on one guest ------------------------------------------------------------


def test_the_json_export_holds_everything_decrypted_and_is_audited(client, tenants, django_assert_max_num_queries):
    guest = _full_guest(tenants)
    client.force_login(tenants.a.users[Role.MANAGER])
    # The request's own queries (session, membership, two-factor, activity stamp) and a hash-chained audit event.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("guests:dsr-export", args=[guest.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["family_name"] == "AlphaFamily0"
    assert data["profile"]["document_number"] == "E98765432"
    assert data["profile"]["birth_date"] == "1980-05-17"
    assert data["profile"]["address"] == "1 Bund Road, Shanghai"
    assert {c["value"] for c in data["contacts"]} == {"alpha.guest@example.test", "+8613800138000"}
    assert {p["value"] for p in data["preferences"]} == {"Buckwheat", "Shellfish"}
    assert data["special_dates"][0]["calendar"] == "lunar"
    assert len(data["stays"]) == 3 and {s["room_revenue"] for s in data["stays"]} >= {"1000.00"}
    assert "guest.contact_add" in {e["action"] for e in data["audit_events"]}
    assert "document_blind_index" not in data["profile"] and "search_name" not in data["profile"]
    event = AuditEvent.objects.for_org(tenants.a.organization).get(action="guest.dsr_export")
    assert event.object_id == str(guest.pk) and event.actor == tenants.a.users[Role.MANAGER]


def test_the_query_count_of_the_json_export_does_not_grow_with_the_archive(
    client, tenants, django_assert_max_num_queries
):
    guest = _full_guest(tenants)
    for _ in range(20):
        StayFactory(hotel=tenants.a.hotels[0], organization=tenants.a.organization, guest=guest)
        services.guest_contact_add(guest=guest, kind="email", raw_value=f"x{_}@example.test", actor=None)
    client.force_login(tenants.a.users[Role.MANAGER])
    # The request's own queries (session, membership, two-factor, activity stamp) and a hash-chained audit event.
    with django_assert_max_num_queries(17):
        assert client.get(reverse("guests:dsr-export", args=[guest.pk])).status_code == 200


def test_data_rights_are_for_managers_and_above(client, tenants):
    guest = tenants.a.guests[0]
    for role in (Role.FRONT_DESK, Role.GUEST_RELATIONS):
        client.force_login(tenants.a.users[role])
        assert client.get(reverse("guests:dsr-export", args=[guest.pk])).status_code == 403
        assert client.get(reverse("guests:erase", args=[guest.pk])).status_code == 403
        assert (
            client.post(reverse("guests:erase", args=[guest.pk]), {"confirmation": guest.pk, "reason": "x"}).status_code
            == 403
        )
    assert not GuestProfile.objects.for_org(tenants.a.organization).get(pk=guest.pk).is_anonymised
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    assert client.get(reverse("guests:dsr-export", args=[guest.pk])).status_code == 200


def test_another_organizations_guest_answers_404_like_a_missing_one(client, tenants):
    b_guest = tenants.b.guests[0]
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    for url in (
        reverse("guests:dsr-export", args=[b_guest.pk]),
        reverse("guests:erase", args=[b_guest.pk]),
        reverse("guests:dsr-export", args=[987654321]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("guests:erase", args=[b_guest.pk]), {"confirmation": str(b_guest.pk), "reason": "x"})
    assert response.status_code == 404
    assert not GuestProfile.objects.for_org(tenants.b.organization).get(pk=b_guest.pk).is_anonymised
    assert not AuditEvent.objects.filter(action__in=["guest.dsr_export", "guest.erased"]).exists()


# --- erasure -----------------------------------------------------------------------------------------


def test_erasure_needs_the_typed_id_and_a_reason(client, tenants):
    guest = tenants.a.guests[0]
    client.force_login(tenants.a.users[Role.MANAGER])
    page = client.get(reverse("guests:erase", args=[guest.pk]))
    assert page.status_code == 200 and "AlphaFamily0" in page.content.decode()
    wrong = client.post(reverse("guests:erase", args=[guest.pk]), {"confirmation": "yes", "reason": "Asked by email"})
    no_reason = client.post(reverse("guests:erase", args=[guest.pk]), {"confirmation": str(guest.pk), "reason": "  "})
    assert wrong.status_code == no_reason.status_code == 400
    assert f"Type {guest.pk}" in wrong.content.decode()
    assert not GuestProfile.objects.for_org(tenants.a.organization).get(pk=guest.pk).is_anonymised


def test_erasure_anonymises_the_guest_and_keeps_the_stays_and_revenue_totals(client, tenants):
    organization = tenants.a.organization
    guest = _full_guest(tenants)
    revenue_before = _revenue(organization)
    stays_before = Stay.objects.for_org(organization).filter(guest=guest).count()
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.post(
        reverse("guests:erase", args=[guest.pk]),
        {"confirmation": str(guest.pk), "reason": "Guest's written request of 3 May"},
    )
    assert response["Location"] == reverse("guests:detail", args=[guest.pk])

    erased = GuestProfile.objects.for_org(organization).get(pk=guest.pk)
    assert (erased.family_name, erased.given_name, erased.native_name) == ("Erased guest", "", "")
    assert erased.is_anonymised and erased.do_not_contact
    assert not (erased.consent_email or erased.consent_sms or erased.consent_phone or erased.sensitive_consent)
    assert erased.birth_date == erased.address == erased.document_number == erased.document_blind_index == ""
    assert (
        erased.birthday_index == erased.birth_date_index == ""
        and erased.birth_decade is None
        and erased.notes == ""
        and erased.tags == []
    )
    for model in (GuestContact, GuestPreference, SpecialDate):
        assert not model.objects.for_org(organization).filter(guest=guest).exists()
    assert not guests_by_contact(organization=organization, kind="email", raw_value="alpha.guest@example.test").exists()
    assert not guests_by_document(organization=organization, document_type="passport", raw_number="E98765432").exists()

    assert Stay.objects.for_org(organization).filter(guest=guest).count() == stays_before == 3
    assert _revenue(organization) == revenue_before

    event = AuditEvent.objects.for_org(organization).get(action="guest.erased")
    assert event.reason == "Guest's written request of 3 May" and event.extra["contacts"] == 2
    # The history of what was done to the profile stays (audit events are append-only).
    assert data_rights.guest_audit_events(guest=guest).filter(action="guest.contact_add").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM guests_guestprofile WHERE id = %s", [guest.pk])
        assert "AlphaFamily0" not in repr(cursor.fetchall())


def test_erasing_twice_is_refused_with_a_message(tenants):
    guest = tenants.a.guests[0]
    manager = tenants.a.users[Role.MANAGER]
    data_rights.guest_erase(guest=guest, actor=manager, reason="Request")
    import pytest

    from guests.exceptions import GuestError

    with pytest.raises(GuestError, match="already been erased"):
        data_rights.guest_erase(guest=guest, actor=manager, reason="Request")
    assert AuditEvent.objects.for_org(tenants.a.organization).filter(action="guest.erased").count() == 1


def test_the_erased_guest_still_exports_what_is_left(client, tenants):
    guest = _full_guest(tenants)
    data_rights.guest_erase(guest=guest, actor=tenants.a.users[Role.MANAGER], reason="Request")
    client.force_login(tenants.a.users[Role.MANAGER])
    data = json.loads(client.get(reverse("guests:dsr-export", args=[guest.pk])).content)
    assert data["contacts"] == [] and data["preferences"] == [] and len(data["stays"]) == 3
    assert data["profile"]["is_anonymised"] is True
    assert datetime.date.fromisoformat(data["stays"][0]["arrival_on"])


def test_after_erasure_no_audit_event_of_the_guest_names_them(tenants):
    from guests.data_rights import guest_erase
    from guests.services import guest_update
    from hotelcrm.audit_chain import chain_verify

    guest = tenants.a.guests[0]
    manager = tenants.a.users[Role.MANAGER]
    name = guest.family_name
    guest_update(guest=guest, actor=manager, data={"company": "Acme"}, hotel=tenants.a.hotels[0])
    guest_erase(guest=guest, actor=manager, reason="Guest asked", hotel=tenants.a.hotels[0])
    events = AuditEvent.objects.filter(object_type="guests.guestprofile", object_id=str(guest.pk))
    assert events.count() >= 2
    assert not [e.object_repr for e in events if name in e.object_repr]
    # Nothing had to be rewritten: the organization's hash chain still verifies.
    assert chain_verify(tenants.a.organization.pk)[1] is None
