from django.urls import reverse

from hotelcrm.models import Role


def test_a_front_desk_user_sees_todays_arrivals_of_their_hotel(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert tenants.a.guests[0].family_name in response.content.decode()
