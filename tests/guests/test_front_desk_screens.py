"""Front-desk screens of issue 18: search as you type by POST, the one-glance profile header, coded fields."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from guests import services
from guests.models import GuestProfile, PreferenceType, StayStatus
from hotelcrm.models import Role
from tests.factories import GuestFactory, StayFactory


@pytest.fixture
def desk(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    return client


def search(client, query, **extra):
    return client.post(reverse("guests:list"), {"q": query}, HTTP_HX_REQUEST="true", **extra)


# --- search as you type ----------------------------------------------------------------------------


def test_typing_posts_the_query_and_gets_only_the_results_fragment(desk, tenants):
    response = search(desk, "alpha")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="guest-results"' in body
    assert tenants.a.guests[0].family_name in body and "Bravo" not in body
    # Each openable row says where Enter goes (static/js/app.js moves through these rows).
    assert f'data-href="{reverse("guests:detail", args=[tenants.a.guests[0].pk])}"' in body


def test_the_search_box_posts_so_phone_and_email_never_sit_in_a_url(desk):
    page = desk.get(reverse("guests:list")).content.decode()
    assert 'method="post"' in page and f'hx-post="{reverse("guests:list")}"' in page
    assert 'name="csrfmiddlewaretoken"' in page and 'data-search-box="#guest-rows"' in page
    # The box says what it finds.
    for word in ("phone", "e-mail", "member number", "document", "room"):
        assert word in page


def test_the_plain_form_without_script_posts_and_gets_the_whole_page(desk, tenants):
    response = desk.post(reverse("guests:list"), {"q": "+86 13800138000"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body and tenants.a.guests[0].family_name in body


def test_the_search_post_needs_the_csrf_token(tenants):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert client.post(reverse("guests:list"), {"q": "alpha"}).status_code == 403


def test_a_very_long_query_gets_a_clear_message_not_an_error(desk, tenants):
    response = search(desk, "Alpha" + "x" * 4995)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="search-too-long"' in body and "100" in body
    with translation.override("zh-hans"):
        body = desk.post(
            reverse("guests:list"), {"q": "x" * 5000}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert 'id="search-too-long"' in body


def test_the_search_fragment_runs_a_capped_number_of_queries(desk, tenants, django_assert_max_num_queries):
    for i in range(60):
        GuestFactory(organization=tenants.a.organization, family_name=f"Crowd{i}", is_confidential=i % 4 == 0)
    with django_assert_max_num_queries(10):
        response = search(desk, "crowd")
    assert response.status_code == 200 and response.content.decode().count('class="guest-row') == 50


# --- profile header ---------------------------------------------------------------------------------


def test_the_profile_header_answers_at_a_glance(client, tenants):
    client.force_login(tenants.a.users[Role.MANAGER])
    guest = tenants.a.guests[0]
    manager = tenants.a.users[Role.MANAGER]
    services.guest_update(
        guest=guest,
        actor=None,
        data={
            "vip_level": 3,
            "value_class": "key_account",
            "native_name": "阿尔法",
            "preferred_language": "zh-hans",
            "languages": ["en"],
        },
    )
    hotel = tenants.a.hotels[0]
    today = timezone.localdate(timezone=hotel.tz)
    StayFactory(
        hotel=hotel,
        guest=guest,
        status=StayStatus.IN_HOUSE,
        room_number="1203",
        arrival_on=today - datetime.timedelta(days=1),
        departure_on=today + datetime.timedelta(days=2),
    )
    upcoming = today + datetime.timedelta(days=10)
    services.special_date_add(guest=guest, kind="anniversary", month=upcoming.month, day=upcoming.day, actor=None)
    services.guest_sensitive_consent_record(guest=guest, purpose="Meals", actor=manager)
    allergy = PreferenceType.objects.for_org(guest.organization).get(code="allergies")
    services.guest_preference_set(guest=guest, preference_type=allergy, value="Peanuts", actor=manager)

    response = client.get(reverse("guests:detail", args=[guest.pk]))
    body = response.content.decode()
    header = body[body.index('id="profile-header"') : body.index('id="profile-tabs"')]
    for text in (
        "阿尔法",
        "VIP 3",
        "Profitable key account",
        "Room 1203",
        "China",
        "Simplified Chinese",
        "English",
        "Wedding anniversary",
        "Buckwheat",
        "Allergy",
    ):
        assert text in header, text
    # The allergy is flagged, its detail is not on the page.
    assert "Peanuts" not in body
    assert "1 open" not in header and "None open" in header
    for tab in ("#stays", "#preferences", "#loyalty", "#complaints", "#care", "#audit"):
        assert f'href="{tab}"' in body


def test_the_profile_header_in_chinese_has_no_english_codes(client, tenants):
    client.force_login(tenants.a.users[Role.MANAGER])
    guest = tenants.a.guests[0]
    with translation.override("zh-hans"):
        body = client.get(reverse("guests:detail", args=[guest.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    header = body[body.index('id="profile-header"') : body.index('id="profile-tabs"')]
    assert "中国" in header and ">CN<" not in header
    assert "food_drink" not in body and ">room<" not in body


# --- coded fields ---------------------------------------------------------------------------------


def _edit_data(guest, **changes):
    data = {
        "family_name": guest.family_name,
        "given_name": guest.given_name,
        "gender": guest.gender,
        "vip_level": guest.vip_level,
        "status": guest.status,
        "nationality": guest.nationality,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "field, value", [("nationality", "ZZ"), ("preferred_language", "klingon!!"), ("languages", ["klingon!!"])]
)
def test_the_edit_form_refuses_codes_off_the_lists(desk, tenants, field, value):
    guest = tenants.a.guests[0]
    response = desk.post(reverse("guests:edit", args=[guest.pk]), _edit_data(guest, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'id="error-summary"' in response.content.decode()
    guest.refresh_from_db()
    assert guest.nationality == "CN" and guest.preferred_language != "klingon!!"


def test_the_edit_form_offers_nationality_and_languages_as_selects_in_sections(desk, tenants):
    page = desk.get(reverse("guests:edit", args=[tenants.a.guests[0].pk])).content.decode()
    assert '<select name="nationality"' in page and '<option value="CN" selected>China</option>' in page
    assert '<select name="preferred_language"' in page and '<select name="languages"' in page
    assert page.count('<fieldset class="group') >= 5 and "<legend>Nationality and languages</legend>" in page


@pytest.mark.parametrize(
    "data, field",
    [
        ({"nationality": "ZZ"}, "nationality"),
        ({"preferred_language": "klingon!!"}, "preferred_language"),
        ({"languages": ["en", "klingon!!"]}, "languages"),
    ],
)
def test_the_service_refuses_codes_off_the_lists_for_every_path(tenants, data, field):
    guest = tenants.a.guests[0]
    with pytest.raises(ValidationError) as refused:
        services.guest_update(guest=guest, actor=None, data=data)
    assert field in refused.value.message_dict and "list" in " ".join(refused.value.message_dict[field])
    with pytest.raises(ValidationError):
        services.guest_create(organization=tenants.a.organization, actor=None, family_name="New", **data)
    assert not GuestProfile.objects.for_org(tenants.a.organization).filter(family_name="New").exists()


def test_a_stray_old_code_does_not_block_an_unrelated_change(tenants):
    guest = tenants.a.guests[0]
    GuestProfile.objects.for_org(tenants.a.organization).filter(pk=guest.pk).update(preferred_language="xx")
    guest.refresh_from_db()
    services.guest_update(guest=guest, actor=None, data={"company": "Acme", "preferred_language": "xx"})
    guest.refresh_from_db()
    assert guest.company == "Acme"
