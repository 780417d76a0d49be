from django.contrib.auth.models import Permission
from django.test import RequestFactory

from guests.access import OPEN_CONFIDENTIAL, can_open_profile, openable_profile_ids
from guests.models import GuestProfileUserObjectPermission
from hotelcrm.models import Role


def _request(tenants, role):
    request = RequestFactory().get("/")
    request.user = tenants.a.users[role]
    request.organization = tenants.a.organization
    request.hotel = tenants.a.hotels[0]
    request.role = role
    return request


def test_a_confidential_profile_opens_for_managers_and_for_holders_of_the_permission(tenants):
    confidential = tenants.a.guests[1]
    assert confidential.is_restricted
    assert can_open_profile(request=_request(tenants, Role.MANAGER), guest=confidential)
    desk = _request(tenants, Role.FRONT_DESK)
    assert not can_open_profile(request=desk, guest=confidential)
    GuestProfileUserObjectPermission.objects.create(
        organization=tenants.a.organization,
        user=desk.user,
        content_object=confidential,
        permission=Permission.objects.get(codename=OPEN_CONFIDENTIAL),
    )
    assert can_open_profile(request=desk, guest=confidential)
    assert desk.user.has_perm(f"guests.{OPEN_CONFIDENTIAL}", confidential)  # guardian agrees


def test_open_profiles_need_no_permission_and_the_check_is_one_query(tenants, django_assert_max_num_queries):
    desk = _request(tenants, Role.FRONT_DESK)
    with django_assert_max_num_queries(1):
        ids = openable_profile_ids(request=desk, guests=tenants.a.guests)
    assert ids == {tenants.a.guests[0].pk}
