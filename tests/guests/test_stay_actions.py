"""The front desk moves a stay on from the guest profile (check in / out, cancel, no-show)."""

from django.test import Client
from django.urls import reverse

from guests.models import StayStatus
from hotelcrm.models import AuditEvent, Role
from loyalty.models import LedgerEntry, Membership
from tests.factories import StayFactory


def _stay(tenant, *, hotel_index=0, guest_index=0, **kwargs):
    return StayFactory(
        hotel=tenant.hotels[hotel_index],
        organization=tenant.organization,
        guest=tenant.guests[guest_index],
        room_revenue=1000,
        **kwargs,
    )


def _post(client, stay, status, **extra):
    return client.post(reverse("guests:stay-status", args=[stay.pk]), {"status": status}, **extra)


def test_checking_out_from_the_profile_moves_the_stay_audits_it_and_earns_points_once(client, tenants):
    a = tenants.a
    desk = a.users[Role.FRONT_DESK]
    assert Membership.objects.for_org(a.organization).filter(guest=a.guests[0]).exists()  # a member already
    stay = _stay(a, status=StayStatus.IN_HOUSE)
    client.force_login(desk)
    page = client.get(reverse("guests:detail", args=[a.guests[0].pk])).content.decode()
    assert f'hx-post="{reverse("guests:stay-status", args=[stay.pk])}"' in page and 'value="checked_out"' in page

    response = _post(client, stay, StayStatus.CHECKED_OUT)
    assert response.status_code == 302 and response["Location"].endswith(f"/guests/{a.guests[0].pk}/#stays")
    stay.refresh_from_db()
    assert stay.status == StayStatus.CHECKED_OUT
    event = AuditEvent.objects.for_org(a.organization).filter(action="stay.update", object_id=str(stay.pk)).get()
    assert event.actor == desk and event.extra["previous_status"] == StayStatus.IN_HOUSE
    earned = LedgerEntry.objects.for_org(a.organization).filter(source_id=str(stay.pk))
    assert sum(earned.filter(source_type="stay").values_list("points", flat=True)) == 100  # 10 per 100 of room revenue
    total = sum(earned.values_list("points", flat=True))

    again = _post(client, stay, StayStatus.CHECKED_OUT, follow=True)
    assert "cannot be moved to that status" in again.content.decode()
    assert sum(earned.values_list("points", flat=True)) == total  # still earned once


def test_htmx_gets_the_row_back_with_the_new_status_and_its_remaining_actions(client, tenants):
    stay = _stay(tenants.a, status=StayStatus.BOOKED)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    response = _post(client, stay, StayStatus.NO_SHOW, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith("<tr") and f'id="stay-{stay.pk}"' in body
    assert "No-show" in body and "<button" not in body  # a no-show is final in the UI
    refused = _post(client, stay, StayStatus.IN_HOUSE, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="error"' in refused and "cannot be moved" in refused


def test_a_made_up_status_or_a_get_changes_nothing(client, tenants):
    stay = _stay(tenants.a, status=StayStatus.BOOKED)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert "Choose what to do" in _post(client, stay, "teleported", follow=True).content.decode()
    assert client.get(reverse("guests:stay-status", args=[stay.pk])).status_code == 405
    stay.refresh_from_db()
    assert stay.status == StayStatus.BOOKED


def test_other_organizations_and_other_hotels_stays_answer_404_and_confidential_guests_403(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    foreign = _stay(tenants.b, status=StayStatus.IN_HOUSE)
    other_hotel = _stay(tenants.a, hotel_index=1, status=StayStatus.IN_HOUSE)
    assert _post(client, foreign, StayStatus.CHECKED_OUT).status_code == 404
    assert _post(client, other_hotel, StayStatus.CHECKED_OUT).status_code == 404
    page = client.get(reverse("guests:detail", args=[tenants.a.guests[0].pk])).content.decode()
    assert reverse("guests:stay-status", args=[other_hotel.pk]) not in page  # changed from its own hotel only
    confidential = _stay(tenants.a, guest_index=1, status=StayStatus.IN_HOUSE)
    assert _post(client, confidential, StayStatus.CHECKED_OUT).status_code == 403
    for stay in (foreign, other_hotel, confidential):
        stay.refresh_from_db()
        assert stay.status == StayStatus.IN_HOUSE


def test_the_change_needs_the_csrf_token(tenants):
    stay = _stay(tenants.a, status=StayStatus.IN_HOUSE)
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert _post(client, stay, StayStatus.CHECKED_OUT).status_code == 403
    page = client.get(reverse("guests:detail", args=[tenants.a.guests[0].pk]))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("guests:stay-status", args=[stay.pk]),
        {"status": StayStatus.CHECKED_OUT, "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.status == StayStatus.CHECKED_OUT
