"""What complaints show elsewhere: the guest profile's history, the arrivals briefing, the warning."""

import pytest

from complaints import services
from hotelcrm.models import Role


def _complaint(tenant, guest, **kwargs):
    return services.complaint_create(
        hotel=tenant.hotels[0],
        actor=tenant.users[Role.FRONT_DESK],
        category="facility",
        description="Lamp broken",
        guest=guest,
        **kwargs,
    )


def test_the_profile_shows_the_guest_s_complaints_in_constant_queries(client, tenants, django_assert_max_num_queries):
    guest = tenants.a.guests[0]
    client.force_login(tenants.a.users[Role.GUEST_RELATIONS])
    first = _complaint(tenants.a, guest)
    with django_assert_max_num_queries(40) as few:
        body = client.get(f"/guests/{guest.pk}/").content.decode()
    assert "complaint-history" in body and f'/complaints/{first.pk}/"' in body
    for _ in range(10):
        _complaint(tenants.a, guest)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/guests/{guest.pk}/").status_code == 200


def test_the_profile_counts_malicious_complaints(client, tenants):
    guest = tenants.a.guests[0]
    complaint = _complaint(tenants.a, guest)
    for action in ("acknowledge", "start", "resolve", "follow_up"):
        complaint = services.complaint_transition(complaint=complaint, action=action, actor=None)
    services.complaint_transition(
        complaint=complaint,
        action="close",
        actor=None,
        closing={"outcome": "not_justified", "response_text": "We checked.", "is_malicious": True},
    )
    client.force_login(tenants.a.users[Role.GUEST_RELATIONS])
    assert "malicious-count" in client.get(f"/guests/{guest.pk}/").content.decode()


def test_the_briefing_lists_open_complaints_of_arriving_guests(client, tenants):
    stay = tenants.a.stays[0]  # arrives today at hotels[0]
    complaint = _complaint(tenants.a, stay.guest)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    body = client.get("/guests/briefing/").content.decode()
    assert f"#{complaint.pk}" in body


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.MANAGER])
def test_the_log_link_on_the_profile_prefills_the_guest(client, tenants, role):
    guest = tenants.a.guests[0]
    client.force_login(tenants.a.users[role])
    body = client.get(f"/complaints/new/?guest={guest.pk}").content.decode()
    assert f'value="{guest.pk}"' in body
