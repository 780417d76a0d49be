from hotelcrm.models import Membership, Role


def _staff(user):
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["core", "guests", "auth"]))
    return user


def test_the_admin_works_for_a_superuser(admin_client, tenants):
    assert admin_client.get("/admin/").status_code == 200
    body = admin_client.get("/admin/core/hotel/").content.decode()
    assert all(h.name in body for h in tenants.a.hotels + tenants.b.hotels)


def test_a_group_admin_in_the_admin_sees_only_their_group(client, tenants):
    client.force_login(_staff(tenants.a.users[Role.GROUP_ADMIN]))
    body = client.get("/admin/core/hotel/").content.decode()
    assert all(h.name in body for h in tenants.a.hotels)
    assert "Bravo" not in body
    users = client.get("/admin/auth/user/").content.decode()
    assert tenants.a.users[Role.FRONT_DESK].username in users and "bravo" not in users


def test_a_membership_form_offers_only_the_groups_hotels_and_staff(client, tenants):
    client.force_login(_staff(tenants.a.users[Role.GROUP_ADMIN]))
    form = client.get("/admin/core/membership/add/").context["adminform"].form
    assert set(form.fields["hotel"].queryset) == set(tenants.a.hotels)
    assert set(form.fields["organization"].queryset) == {tenants.a.organization}
    response = client.post(
        "/admin/core/membership/add/",
        {
            "organization": tenants.b.organization.pk,
            "hotel": tenants.b.hotels[0].pk,
            "user": tenants.a.users[Role.FRONT_DESK].pk,
            "role": Role.MANAGER,
        },
    )
    assert response.status_code == 200  # the form is shown again with errors
    assert not Membership.objects.for_org(tenants.b.organization).filter(user=tenants.a.users[Role.FRONT_DESK]).exists()


def test_a_group_admin_can_add_staff_to_a_hotel_of_the_group(client, tenants):
    client.force_login(_staff(tenants.a.users[Role.GROUP_ADMIN]))
    response = client.post(
        "/admin/core/membership/add/",
        {
            "organization": tenants.a.organization.pk,
            "hotel": tenants.a.hotels[1].pk,
            "user": tenants.a.users[Role.FRONT_DESK].pk,
            "role": Role.MANAGER,
        },
    )
    assert response.status_code == 302
    assert (
        Membership.objects.for_org(tenants.a.organization)
        .filter(hotel=tenants.a.hotels[1], user=tenants.a.users[Role.FRONT_DESK])
        .exists()
    )


def test_a_non_superuser_cannot_make_themself_superuser(client, tenants):
    user = _staff(tenants.a.users[Role.GROUP_ADMIN])
    client.force_login(user)
    form = client.get(f"/admin/auth/user/{user.pk}/change/").context["adminform"].form
    assert "is_superuser" not in form.fields


def test_a_membership_whose_hotel_is_in_another_organization_is_invalid(tenants):
    import pytest
    from django.core.exceptions import ValidationError

    membership = Membership(
        organization=tenants.a.organization,
        hotel=tenants.b.hotels[0],
        user=tenants.a.users[Role.FRONT_DESK],
        role=Role.MANAGER,
    )
    with pytest.raises(ValidationError, match="another organization"):
        membership.full_clean()
