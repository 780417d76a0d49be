import re

from django.contrib.auth import get_user_model
from django.urls import reverse

from hotelcrm.models import Role
from tests.factories import DEMO_PASSWORD


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, tenants, smtp_server):
    user = tenants.a.users[Role.FRONT_DESK]
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert smtp_server.received.wait(10)
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == [user.email]
    body = envelope.content.decode()
    link = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "a-brand-new-passphrase-42"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not client.get(link, follow=True).context["validlink"]  # the link works once


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, tenants, smtp_server):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert not smtp_server.received.wait(1)


def test_a_wrong_password_gets_a_clear_message(client, tenants):
    response = client.post(reverse("login"), {"username": tenants.a.users[Role.MANAGER].username, "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_repeated_bad_logins_are_locked_out_with_a_clear_message(client, tenants, settings):
    username = tenants.a.users[Role.MANAGER].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": username, "password": "guess"})
    locked = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    # The right password does not get through while the lock holds.
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_username_and_address(client, tenants, settings):
    username = tenants.a.users[Role.MANAGER].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": username, "password": "guess"}, REMOTE_ADDR="198.51.100.9")
    other = tenants.a.users[Role.FRONT_DESK]
    assert client.post(reverse("login"), {"username": other.username, "password": DEMO_PASSWORD}).status_code == 302


def test_pages_need_a_login(client, db):
    response = client.get(reverse("guests:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_logout_is_a_post_and_ends_the_session(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302
    assert get_user_model().objects.filter(pk=tenants.a.users[Role.FRONT_DESK].pk).exists()
