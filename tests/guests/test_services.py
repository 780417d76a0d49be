"""Services and selectors of the guest profile, without the pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from guests import selectors, services
from guests.exceptions import SensitiveConsentMissing
from guests.models import StayStatus
from hotelcrm.models import AuditEvent, Role
from tests.factories import GuestFactory, PreferenceTypeFactory, StayFactory


def events(guest, action):
    return AuditEvent.objects.for_org(guest.organization_id).filter(object_id=str(guest.pk), action=action)


def test_guest_update_stamps_consent_and_records_only_changed_fields(tenants):
    guest = tenants.a.guests[0]
    actor = tenants.a.users[Role.FRONT_DESK]
    services.guest_update(
        guest=guest,
        actor=actor,
        data={"consent_phone": True, "consent_phone_source": "phone", "company": guest.company},
    )
    guest.refresh_from_db()
    assert guest.consent_phone and guest.consent_phone_at is not None
    assert set(events(guest, "guest.update").latest("pk").fields) == {
        "consent_phone",
        "consent_phone_source",
        "consent_phone_at",
    }


def test_guest_update_without_changes_writes_no_event(tenants):
    guest = tenants.a.guests[0]
    before = events(guest, "guest.update").count()
    services.guest_update(guest=guest, actor=None, data={"family_name": guest.family_name})
    assert events(guest, "guest.update").count() == before


@pytest.mark.parametrize(
    "grade, reviewed, due",
    [
        ("A", datetime.date(2025, 8, 31), datetime.date(2026, 2, 28)),
        ("B", datetime.date(2025, 11, 30), datetime.date(2026, 2, 28)),
        ("C", datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)),
        ("", datetime.date(2024, 1, 31), None),
    ],
)
def test_the_next_credit_review_follows_the_grade(tenants, grade, reviewed, due):
    guest = tenants.a.guests[0]
    services.guest_update(guest=guest, actor=None, data={"credit_grade": grade, "credit_reviewed_on": reviewed})
    guest.refresh_from_db()
    assert guest.credit_review_due_on == due


def test_guest_update_refuses_a_value_the_model_refuses_and_changes_nothing(tenants):
    guest = tenants.a.guests[0]
    with pytest.raises(ValidationError):
        services.guest_update(guest=guest, actor=None, data={"gender": "robot"})
    guest.refresh_from_db()
    assert guest.gender == "unknown"


def test_a_sensitive_preference_without_consent_is_refused(tenants):
    guest = tenants.a.guests[0]
    allergy = PreferenceTypeFactory(organization=tenants.a.organization, is_sensitive=True)
    with pytest.raises(SensitiveConsentMissing):
        services.guest_preference_set(guest=guest, preference_type=allergy, value="Shellfish", actor=None)


def test_the_stay_summary_is_one_aggregate_query(tenants, django_assert_num_queries):
    guest = GuestFactory(organization=tenants.a.organization)
    for nights, revenue in ((2, 300), (5, 900)):
        StayFactory(
            hotel=tenants.a.hotels[0],
            guest=guest,
            status=StayStatus.CHECKED_OUT,
            room_revenue=revenue,
            fb_revenue=100,
            arrival_on=datetime.date(2025, 1, 1),
            departure_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=nights),
        )
    StayFactory(hotel=tenants.a.hotels[0], guest=guest, status=StayStatus.CANCELLED, room_revenue=5000)
    with django_assert_num_queries(1):
        summary = selectors.guest_stay_summary(guest=guest)
    assert (summary["stays"], summary["nights"], summary["spend"], summary["average_spend"]) == (2, 7, 1400, 700)
    assert summary["last_departure"] == datetime.date(2025, 1, 6)


def test_a_guest_without_stays_has_an_empty_summary(tenants):
    summary = selectors.guest_stay_summary(guest=GuestFactory(organization=tenants.a.organization))
    assert (summary["stays"], summary["nights"], summary["spend"], summary["average_spend"]) == (0, 0, 0, None)


def test_guest_search_stays_inside_the_organization(tenants):
    found = selectors.guest_search(
        organization=tenants.a.organization, query="+86 138 0013 8000", hotel=tenants.a.hotels[0]
    )
    assert list(found) == [tenants.a.guests[0]]
    assert not selectors.guest_search(organization=tenants.a.organization, query="Bravo").exists()


def test_guest_search_by_room_needs_the_active_hotel(tenants):
    guest = GuestFactory(organization=tenants.a.organization)
    StayFactory(hotel=tenants.a.hotels[0], guest=guest, room_number="1201", status=StayStatus.IN_HOUSE)
    assert list(
        selectors.guest_search(organization=tenants.a.organization, query="1201", hotel=tenants.a.hotels[0])
    ) == [guest]
    assert not selectors.guest_search(
        organization=tenants.a.organization, query="1201", hotel=tenants.a.hotels[1]
    ).exists()
    assert not selectors.guest_search(
        organization=tenants.b.organization, query="1201", hotel=tenants.b.hotels[0]
    ).exists()
