from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def test_the_guest_list_is_one_page_of_fifty_in_a_constant_number_of_queries(
    client, tenants, django_assert_max_num_queries
):
    for _i in range(120):
        GuestFactory(organization=tenants.a.organization)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    # Two for the page itself (the rows, the openable ids); the rest are session, membership,
    # two-factor, the bell's unread count and the session's activity stamp, on every page.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("guests:list"))
    assert len(response.context["page"].object_list) == 50


def test_the_htmx_search_returns_only_the_rows_fragment(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    response = client.get(reverse("guests:list"), {"q": "Alpha"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body and "<html" not in body


def test_the_guest_page_shows_stays_and_lifetime_figures_in_constant_queries(
    client, tenants, django_assert_max_num_queries
):
    guest = tenants.a.guests[0]
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    StayFactory(
        hotel=tenants.a.hotels[0],
        organization=tenants.a.organization,
        guest=guest,
        status="checked_out",
        room_revenue=100,
    )
    with CaptureQueriesContext(connection) as one_stay:
        client.get(reverse("guests:detail", args=[guest.pk]))
    for hotel in (tenants.a.hotels * 10)[1:]:
        StayFactory(
            hotel=hotel, organization=tenants.a.organization, guest=guest, status="checked_out", room_revenue=100
        )
    # The same number of queries for one stay as for twenty (other apps' panels included).
    with django_assert_max_num_queries(len(one_stay.captured_queries)):
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


def test_names_that_start_with_the_query_come_first_and_pages_need_no_count(
    client, tenants, django_assert_max_num_queries
):
    organization = tenants.a.organization
    for i in range(60):
        GuestFactory(organization=organization, family_name="Zhang", given_name=f"Xi{i:02d}", native_name="")
    GuestFactory(organization=organization, family_name="Ai", given_name="Zhang Xiu", native_name="")
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    with django_assert_max_num_queries(10) as captured:
        first = client.get(reverse("guests:list"), {"q": "zhang xi"})
    assert not any("guestprofile" in query["sql"] and "COUNT(" in query["sql"] for query in captured.captured_queries)
    page = first.context["page"]
    assert [guest.given_name for guest in page.object_list] == [f"Xi{i:02d}" for i in range(50)]
    assert page.has_next() and not page.has_previous()
    # Page 2: the last ten name starts, then the guest whose name only contains the query.
    second = client.get(reverse("guests:list"), {"q": "zhang xi", "page": "2"}).context["page"]
    assert [guest.given_name for guest in second.object_list] == [f"Xi{i:02d}" for i in range(50, 60)] + ["Zhang Xiu"]
    assert not second.has_next() and second.has_previous()
    beyond = client.get(reverse("guests:list"), {"q": "zhang xi", "page": "5"})
    assert beyond.status_code == 200 and list(beyond.context["page"].object_list) == []


def test_a_later_page_made_only_of_contained_names_skips_the_name_starts_by_counting_them(client, tenants):
    organization = tenants.a.organization
    for i in range(3):
        GuestFactory(organization=organization, family_name="Lin", given_name=f"Tao{i}", native_name="")
    for i in range(55):
        GuestFactory(organization=organization, family_name="Ma", given_name=f"Lin Tao{i:02d}", native_name="")
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    second = client.get(reverse("guests:list"), {"q": "lin tao", "page": "2"}).context["page"]
    assert [guest.given_name for guest in second.object_list] == [f"Lin Tao{i:02d}" for i in range(47, 55)]
