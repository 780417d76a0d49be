from django.urls import reverse

from hotelcrm.models import Role
from hotelcrm.selectors import staff_access_get
from tests.factories import MembershipFactory, UserFactory


def test_each_role_below_group_admin_sees_exactly_its_own_hotel(tenants):
    for role in (Role.FRONT_DESK, Role.GUEST_RELATIONS, Role.MANAGER):
        access = staff_access_get(tenants.a.users[role])
        assert access.hotels == [tenants.a.hotels[0]], role
        assert access.role_at(tenants.a.hotels[0]) == role


def test_a_group_admin_sees_every_hotel_of_the_group_and_none_of_another(tenants):
    access = staff_access_get(tenants.a.users[Role.GROUP_ADMIN])
    assert set(access.hotels) == set(tenants.a.hotels)
    assert not set(access.hotels) & set(tenants.b.hotels)


def test_a_user_holds_a_separate_role_at_each_hotel(tenants):
    user = tenants.a.users[Role.FRONT_DESK]
    MembershipFactory(user=user, hotel=tenants.a.hotels[1], organization=tenants.a.organization, role=Role.MANAGER)
    access = staff_access_get(user)
    assert access.role_at(tenants.a.hotels[0]) == Role.FRONT_DESK
    assert access.role_at(tenants.a.hotels[1]) == Role.MANAGER


def test_a_user_without_membership_sees_nothing(client, tenants):
    loner = UserFactory(username="loner")
    client.force_login(loner)
    assert staff_access_get(loner).hotels == []
    home = client.get(reverse("home"))
    assert home.status_code == 403
    assert "not a member of any hotel" in home.content.decode()
    assert client.get(reverse("guests:list")).status_code == 403
    assert client.get(reverse("guests:detail", args=[tenants.a.guests[0].pk])).status_code == 403
    assert client.get("/api/v1/hotels/").json()["results"] == []


def test_an_inactive_user_reaches_no_hotel(tenants):
    user = tenants.a.users[Role.MANAGER]
    user.is_active = False
    assert staff_access_get(user).hotels == []


def test_switching_to_a_hotel_of_ones_own_changes_the_active_hotel(client, tenants):
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    response = client.post(reverse("switch-hotel"), {"hotel_id": tenants.a.hotels[1].pk, "next": "/guests/"})
    assert response.status_code == 302 and response["Location"] == "/guests/"
    assert client.get("/api/v1/me/").json()["active_hotel"] == tenants.a.hotels[1].pk


def test_switching_to_a_hotel_outside_ones_memberships_is_404(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert client.post(reverse("switch-hotel"), {"hotel_id": tenants.a.hotels[1].pk}).status_code == 404
    assert client.post(reverse("switch-hotel"), {"hotel_id": tenants.b.hotels[0].pk}).status_code == 404
    assert client.post(reverse("switch-hotel"), {"hotel_id": "not-a-number"}).status_code == 404
    assert client.get("/api/v1/me/").json()["active_hotel"] == tenants.a.hotels[0].pk


def test_switching_never_redirects_off_site(client, tenants):
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    response = client.post(
        reverse("switch-hotel"), {"hotel_id": tenants.a.hotels[1].pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_each_role_lands_on_its_own_home_page(client, tenants):
    expected = {
        Role.FRONT_DESK: "reports/home_front_desk.html",
        Role.GUEST_RELATIONS: "reports/home_guest_relations.html",
        Role.MANAGER: "reports/home_manager.html",
        Role.GROUP_ADMIN: "reports/home_group_admin.html",
    }
    for role, template in expected.items():
        client.force_login(tenants.a.users[role])
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert template in [t.name for t in response.templates], role


def test_the_group_home_lists_every_hotel_of_the_group_only(client, tenants):
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    body = client.get(reverse("home")).content.decode()
    for hotel in tenants.a.hotels:
        assert hotel.name in body
    assert "Bravo" not in body


def test_a_task_loads_its_hotel_only_within_the_organization_it_was_given(tenants):
    from hotelcrm.selectors import hotel_get_for_task

    hotel = tenants.a.hotels[1]
    assert hotel_get_for_task(organization_id=tenants.a.organization.pk, hotel_id=hotel.pk) == hotel
    assert hotel_get_for_task(organization_id=tenants.b.organization.pk, hotel_id=hotel.pk) is None
    assert hotel_get_for_task(organization_id=tenants.a.organization.pk, hotel_id=987654321) is None


def test_the_navigation_offers_each_role_its_own_pages(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    desk = client.get(reverse("home")).content.decode()
    assert reverse("guests:briefing") in desk
    assert reverse("audit-list") not in desk and reverse("guests:duplicates") not in desk
    client.force_login(tenants.a.users[Role.MANAGER])
    manager = client.get(reverse("home")).content.decode()
    assert reverse("audit-list") in manager and reverse("guests:access-queue") in manager
    assert reverse("guests:duplicates") in manager
