from django.urls import reverse

from hotelcrm.models import Role
from tests.factories import GuestFactory, StayFactory


def test_the_guest_list_finds_by_name_in_either_script_any_case_or_accent(client, tenants):
    GuestFactory(organization=tenants.a.organization, family_name="Müller", given_name="Jürgen", native_name="")
    GuestFactory(organization=tenants.a.organization, family_name="Wang", given_name="Wei", native_name="王伟")
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert "Müller" in client.get(reverse("guests:list"), {"q": "muller"}).content.decode()
    assert "Wang" in client.get(reverse("guests:list"), {"q": "王伟"}).content.decode()
    body = client.get(reverse("guests:list"), {"q": "wang"}).content.decode()
    assert "Wang" in body and "Müller" not in body


def test_the_guest_list_is_one_page_of_fifty_in_a_constant_number_of_queries(client, tenants, django_assert_max_num_queries):
    for i in range(120):
        GuestFactory(organization=tenants.a.organization)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("guests:list"))
    assert len(response.context["page"].object_list) == 50


def test_the_htmx_search_returns_only_the_rows_fragment(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    response = client.get(reverse("guests:list"), {"q": "Alpha"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body and "<html" not in body


def test_the_guest_page_shows_stays_and_lifetime_figures_in_constant_queries(client, tenants, django_assert_max_num_queries):
    guest = tenants.a.guests[0]
    for hotel in tenants.a.hotels * 10:
        StayFactory(hotel=hotel, organization=tenants.a.organization, guest=guest, status="checked_out", room_revenue=100)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("guests:detail", args=[guest.pk]))
    assert response.context["summary"]["stays"] == 20
    assert response.context["summary"]["spend"] == 2000


def test_a_malformed_page_number_or_huge_query_is_not_an_error(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert client.get(reverse("guests:list"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("guests:list"), {"page": "99999"}).status_code == 200
    assert client.get(reverse("guests:list"), {"q": "x" * 10000}).status_code == 200
    assert client.get(reverse("guests:list"), {"q": "\x00"}).status_code == 200


def test_one_or_two_latin_letters_match_the_start_of_a_name(client, tenants):
    GuestFactory(organization=tenants.a.organization, family_name="Li", given_name="Na", native_name="李娜")
    GuestFactory(organization=tenants.a.organization, family_name="Natali", given_name="Anna", native_name="")
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    body = client.get(reverse("guests:list"), {"q": "li"}).content.decode()
    assert "Li" in body and "Natali" not in body
    assert "Natali" in client.get(reverse("guests:list"), {"q": "tali"}).content.decode()
