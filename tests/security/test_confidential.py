"""A confidential profile, attacked from inside the organization: without a grant, with one, after it ended.

The guest asked for confidential service (`tests.conftest.build_tenant` makes A's second guest
confidential, with a pending access request by the front desk). Every route of the guest
profile (the page, each form, the audited sensitive section) is requested by the front desk and
guest relations: without a grant each is refused and no page shows the guest's name or contact
details (the search list shows a masked row); with a grant the profile opens; once the grant's
time is up it is refused everywhere again, at once, even before the nightly job removes the
permission row, and after it.
"""

import datetime

import pytest
from django.utils import timezone

from guests import services
from guests.access import access_grants_revoke_expired, access_request_approve
from guests.models import AccessRequest, GuestProfileUserObjectPermission
from hotelcrm.models import Role
from tests.isolation import _body, all_routes
from tests.security.test_idor import _path

SECRET_EMAIL = "secret.vip.guest@example.test"


def _profile_routes():
    """Every route that opens or changes one guest's profile; asking for access is the one way in."""
    routes = []
    for regex, pattern, _has_ids in all_routes():
        if regex.startswith("guests/") and "(?P<guest_id>" in regex and not regex.endswith("request/\\Z"):
            routes.append((regex, pattern))
    return routes


def _secrets(guest):
    return [value for value in (guest.family_name, guest.given_name, guest.native_name, SECRET_EMAIL) if value]


@pytest.fixture
def vip(tenants):
    guest = tenants.a.guests[1]
    assert guest.is_confidential
    services.guest_contact_add(guest=guest, kind="email", raw_value=SECRET_EMAIL, actor=tenants.a.users[Role.MANAGER])
    return guest


def _assert_refused_everywhere(client, user, guest):
    client.force_login(user)
    checked = 0
    for regex, pattern in _profile_routes():
        path = _path(regex, {"guest_id": guest.pk})
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            body = _body(response)
            where = f"{method.upper()} {path} ({pattern.name}) as {user.username}"
            assert response.status_code in (403, 404, 405), f"{where}: {response.status_code}"
            for secret in _secrets(guest):
                assert secret not in body, f"{where} shows {secret!r}"
            checked += 1
    # The search finds the guest as a masked row: no name, no link to the profile.
    body = _body(client.get("/guests/", {"q": guest.family_name}))
    assert "masked" in body and guest.given_name not in body and f'/guests/{guest.pk}/"' not in body
    assert checked >= 18


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.GUEST_RELATIONS], ids=["front_desk", "guest_relations"])
def test_without_a_grant_every_profile_route_is_refused_and_shows_nothing(client, tenants, vip, role):
    _assert_refused_everywhere(client, tenants.a.users[role], vip)


def test_a_grant_opens_the_profile_and_its_end_closes_every_route_again(client, tenants, vip):
    desk, manager = tenants.a.users[Role.FRONT_DESK], tenants.a.users[Role.MANAGER]
    pending = AccessRequest.objects.for_org(tenants.a.organization).get(guest=vip, requested_by=desk)
    access_request_approve(
        access_request=pending, actor=manager, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )

    client.force_login(desk)
    response = client.get(f"/guests/{vip.pk}/")
    assert response.status_code == 200 and vip.family_name in response.content.decode()

    # The grant's time is up; the nightly job has not run yet: the permission row is still there.
    AccessRequest.objects.for_org(tenants.a.organization).filter(pk=pending.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    permission_rows = GuestProfileUserObjectPermission.objects.for_org(tenants.a.organization).filter(
        user=desk, content_object_id=vip.pk
    )
    assert permission_rows.exists()
    _assert_refused_everywhere(client, desk, vip)

    # After the job: the row is gone, and it stays refused.
    access_grants_revoke_expired(now=timezone.now())
    assert not permission_rows.exists()
    _assert_refused_everywhere(client, desk, vip)


def test_a_grant_for_one_guest_opens_no_other_confidential_guest(client, tenants, vip):
    from tests.factories import GuestFactory

    other = GuestFactory(
        organization=tenants.a.organization, family_name="Hidden", given_name="Secondvip", is_confidential=True
    )
    desk, manager = tenants.a.users[Role.FRONT_DESK], tenants.a.users[Role.MANAGER]
    pending = AccessRequest.objects.for_org(tenants.a.organization).get(guest=vip, requested_by=desk)
    access_request_approve(
        access_request=pending, actor=manager, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    client.force_login(desk)
    assert client.get(f"/guests/{vip.pk}/").status_code == 200
    response = client.get(f"/guests/{other.pk}/")
    assert response.status_code == 403 and "Secondvip" not in response.content.decode()
