"""Front-desk search, the profile page and the profile forms, as staff use them."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guests import services
from guests.models import GuestPreference, GuestProfile, GuestProfileUserObjectPermission, SpecialDate, StayStatus
from hotelcrm.models import AuditEvent, Role
from tests.factories import GuestFactory, PreferenceTypeFactory, StayFactory

VALID_RESIDENT_ID = "11010519491231002X"


def rows(client, query):
    """Only the results fragment (what HTMX swaps in), so the echoed query does not count as a match."""
    response = client.get(reverse("guests:list"), {"q": query}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def desk(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    return client


@pytest.fixture
def manager(client, tenants):
    client.force_login(tenants.a.users[Role.MANAGER])
    return client


def audit_actions(guest):
    return list(
        AuditEvent.objects.for_org(guest.organization_id)
        .filter(object_id=str(guest.pk))
        .values_list("action", flat=True)
    )


# --- search -------------------------------------------------------------------------------------


def test_search_finds_by_partial_name_in_latin_hanzi_and_without_accents(desk, tenants):
    GuestFactory(organization=tenants.a.organization, family_name="Müller", given_name="Jürgen", native_name="")
    GuestFactory(organization=tenants.a.organization, family_name="Wang", given_name="Xiaoming", native_name="王小明")
    assert "Müller" in rows(desk, "MULL")
    assert "Müller" in rows(desk, "jurgen")
    assert "Wang" in rows(desk, "小明")
    assert "Müller" not in rows(desk, "小明")


@pytest.mark.parametrize("typed", ["138 0013 8000", "+86 13800138000", "+86-138-0013-8000", "13800138000"])
def test_search_finds_by_phone_in_any_format(desk, tenants, typed):
    body = rows(desk, typed)
    assert tenants.a.guests[0].family_name in body
    assert "Bravo" not in body  # B's guest has the same phone number


def test_search_finds_by_email_whatever_its_case(desk, tenants):
    body = rows(desk, "  ALPHA.Guest@Example.TEST ")
    assert tenants.a.guests[0].family_name in body
    assert "Bravo" not in body
    assert "No guest matches" in rows(desk, "nobody@example.test")


def test_search_finds_by_document_number(desk, tenants):
    guest, other = tenants.a.guests[0], GuestFactory(organization=tenants.a.organization, family_name="Passportholder")
    for g, kind, number in ((guest, "resident_id", VALID_RESIDENT_ID), (other, "passport", "E1234 5678")):
        services.guest_sensitive_consent_record(guest=g, purpose="Check-in registration", actor=None)
        services.guest_document_set(guest=g, document_type=kind, raw_number=number, actor=None)
    assert guest.family_name in rows(desk, "11010519491231002x")
    assert "Passportholder" in rows(desk, "e12345678")
    assert guest.family_name not in rows(desk, "E12345678")


def test_search_finds_the_guest_in_house_in_a_room_of_the_active_hotel(desk, tenants):
    grand, riverside = tenants.a.hotels
    in_house = GuestFactory(organization=tenants.a.organization, family_name="Inhouse")
    left = GuestFactory(organization=tenants.a.organization, family_name="Departed")
    elsewhere = GuestFactory(organization=tenants.a.organization, family_name="Otherhotel")
    StayFactory(hotel=grand, guest=in_house, room_number="8808", status=StayStatus.IN_HOUSE)
    StayFactory(hotel=grand, guest=left, room_number="8808", status=StayStatus.CHECKED_OUT)
    StayFactory(hotel=riverside, guest=elsewhere, room_number="8808", status=StayStatus.IN_HOUSE)
    body = rows(desk, "8808")
    assert "Inhouse" in body
    assert "Departed" not in body and "Otherhotel" not in body


def test_merged_profiles_are_hidden_from_search(desk, tenants):
    survivor = GuestFactory(organization=tenants.a.organization, family_name="Zhaosurvivor")
    GuestFactory(organization=tenants.a.organization, family_name="Zhaomerged", merged_into=survivor)
    body = rows(desk, "zhao")
    assert "Zhaosurvivor" in body and "Zhaomerged" not in body


def test_a_confidential_profile_is_a_masked_card_for_the_front_desk(desk, tenants):
    secret = tenants.a.guests[1]
    body = rows(desk, "Alpha")
    assert "Confidential guest" in body
    assert f'href="/guests/access/{secret.pk}/request/"' in body
    assert secret.given_name not in body and secret.native_name not in body and secret.family_name not in body
    assert reverse("guests:detail", args=[secret.pk]) not in body
    assert tenants.a.guests[0].family_name in body  # the open profile is shown in full


def test_a_manager_or_a_granted_user_sees_the_confidential_profile_in_full(client, tenants):
    secret = tenants.a.guests[1]
    client.force_login(tenants.a.users[Role.MANAGER])
    body = rows(client, "Alpha")
    assert secret.family_name in body and "Confidential guest" not in body
    desk_user = tenants.a.users[Role.FRONT_DESK]
    GuestProfileUserObjectPermission.objects.create(
        organization=tenants.a.organization,
        user=desk_user,
        content_object=secret,
        permission=Permission.objects.get(codename="open_confidential_guestprofile"),
    )
    client.force_login(desk_user)
    assert secret.family_name in rows(client, "Alpha")


def test_unparseable_search_input_is_not_an_error(desk):
    for typed in ("@", "+", "+++", "@@@.", "x" * 500, "\x00@x", "1" * 60, "--", "(((", "王" * 200):
        assert desk.get(reverse("guests:list"), {"q": typed}).status_code == 200


def _queries(client, path, data=None):
    """Queries of one page view, leaving out the session's periodic activity stamp (not the page's work)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, data or {})
    assert response.status_code == 200
    stamp = ("SAVEPOINT", "RELEASE SAVEPOINT", 'UPDATE "django_session"')
    return sum(1 for query in captured.captured_queries if not query["sql"].startswith(stamp))


@pytest.mark.parametrize("query", ["", "Crowd", "+86 13800138000", "crowd@example.test", "8808", VALID_RESIDENT_ID])
def test_the_search_results_page_runs_a_constant_number_of_queries(desk, tenants, query, django_assert_max_num_queries):
    organization = tenants.a.organization

    def crowd(start, stop):
        for i in range(start, stop):
            guest = GuestFactory(organization=organization, family_name=f"Crowd{i}", is_confidential=i % 3 == 0)
            services.guest_contact_add(guest=guest, kind="email", raw_value="crowd@example.test", actor=None)
            services.guest_contact_add(guest=guest, kind="phone", raw_value="+8613800138000", actor=None)
            services.guest_sensitive_consent_record(guest=guest, purpose="Registration", actor=None)
            StayFactory(hotel=tenants.a.hotels[0], guest=guest, room_number="8808", status=StayStatus.IN_HOUSE)

    crowd(0, 2)  # one open and one confidential profile among the results
    services.guest_document_set(
        guest=GuestProfile.objects.for_org(organization).get(family_name="Crowd0"),
        document_type="resident_id",
        raw_number=VALID_RESIDENT_ID,
        actor=None,
    )
    few = _queries(desk, reverse("guests:list"), {"q": query})
    crowd(2, 80)
    with django_assert_max_num_queries(12):
        response = desk.get(reverse("guests:list"), {"q": query})
    assert response.status_code == 200 and "Confidential guest" in response.content.decode()
    # Never more with many rows (fewer, even: a full page of name starts needs no "contains" query).
    assert _queries(desk, reverse("guests:list"), {"q": query}) <= few


# --- profile page ---------------------------------------------------------------------------------


def test_the_profile_page_shows_identity_consent_preferences_special_dates_and_stays(manager, tenants):
    guest = tenants.a.guests[0]
    services.guest_update(
        guest=guest,
        actor=None,
        data={
            "company": "Acme Trading",
            "position": "CFO",
            "vip_level": 3,
            "consent_email": True,
            "consent_email_source": "front_desk",
            "credit_grade": "B",
            "credit_reviewed_on": datetime.date(2025, 1, 10),
            "tags": ["golf"],
            "notes": "Likes the corner rooms",
        },
    )
    StayFactory(
        hotel=tenants.a.hotels[0],
        guest=guest,
        status=StayStatus.CHECKED_OUT,
        room_type="Deluxe King",
        rate_code="BAR",
        channel="Direct",
        room_revenue=1000,
        fb_revenue=200,
        other_revenue=0,
        arrival_on=datetime.date(2025, 3, 1),
        departure_on=datetime.date(2025, 3, 4),
    )
    response = manager.get(reverse("guests:detail", args=[guest.pk]))
    body = response.content.decode()
    for text in (
        "Acme Trading",
        "CFO",
        "Buckwheat",
        "Alpha pillow",
        "lunar month 8, day 15",
        "Deluxe King",
        "BAR",
        "Direct",
        "Likes the corner rooms",
        "golf",
        "Given at the front desk",
        "1,200.00 CNY",
        f"/guests/access/{guest.pk}/sensitive/",
    ):
        assert text in body, text
    summary = response.context["summary"]
    assert summary["nights"] == 3 and summary["average_spend"] == 1200
    # Contacts, the document and the full birth date are only in the audited sensitive section.
    assert "alpha.guest@example.test" not in body and "13800138000" not in body and "1980" not in body


def test_sensitive_preferences_are_not_on_the_profile_page(manager, tenants):
    guest = tenants.a.guests[0]
    allergy = PreferenceTypeFactory(organization=tenants.a.organization, name="Allergies", is_sensitive=True)
    services.guest_sensitive_consent_record(guest=guest, purpose="Meals", actor=None)
    services.guest_preference_set(guest=guest, preference_type=allergy, value="Peanuts", actor=None)
    body = manager.get(reverse("guests:detail", args=[guest.pk])).content.decode()
    assert "Peanuts" not in body and "Allergies" not in body


def test_a_confidential_profile_answers_403_without_personal_data(desk, tenants):
    secret = tenants.a.guests[1]
    response = desk.get(reverse("guests:detail", args=[secret.pk]))
    body = response.content.decode()
    assert response.status_code == 403
    assert f"/guests/access/{secret.pk}/request/" in body and "confidential" in body
    assert secret.family_name not in body and secret.given_name not in body and secret.native_name not in body
    for name in ("edit", "preference-set", "contact-add", "document"):
        assert desk.get(reverse(f"guests:{name}", args=[secret.pk])).status_code == 403
        assert desk.post(reverse(f"guests:{name}", args=[secret.pk]), {"family_name": "Changed"}).status_code == 403
    secret.refresh_from_db()
    assert secret.family_name != "Changed"


def test_a_manager_opens_the_confidential_profile(manager, tenants):
    assert manager.get(reverse("guests:detail", args=[tenants.a.guests[1].pk])).status_code == 200


def test_a_merged_id_leads_to_the_surviving_profile(manager, tenants):
    survivor = tenants.a.guests[0]
    merged = GuestFactory(organization=tenants.a.organization, merged_into=survivor)
    response = manager.get(reverse("guests:detail", args=[merged.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("guests:detail", args=[survivor.pk])


def test_the_profile_page_runs_constant_queries_whatever_the_stays_and_preferences(
    desk, tenants, django_assert_max_num_queries
):
    guest = tenants.a.guests[0]
    path = reverse("guests:detail", args=[guest.pk])
    few = _queries(desk, path)
    for i in range(30):
        StayFactory(hotel=tenants.a.hotels[i % 2], guest=guest, status=StayStatus.CHECKED_OUT, room_revenue=100)
    for i in range(10):
        kind = PreferenceTypeFactory(organization=tenants.a.organization)
        services.guest_preference_set(
            guest=guest, preference_type=kind, value=f"value {i}", actor=tenants.a.users[Role.MANAGER]
        )
        services.special_date_add(guest=guest, kind="other", month=1 + i, day=1, actor=None)
    # The bound follows the other apps' panels on the page (complaints, loyalty); the equality below is the point.
    with django_assert_max_num_queries(few + 3):
        response = desk.get(path)
    assert len(response.context["stays"]) == 31 and len(response.context["preferences"]) == 11
    assert response.context["summary"]["stays"] == 30
    assert _queries(desk, path) == few


# --- forms ----------------------------------------------------------------------------------------


def test_creating_a_guest_redirects_to_the_profile_with_a_message_and_an_audit_event(desk, tenants):
    response = desk.post(
        reverse("guests:create"),
        {"family_name": "Li", "given_name": "Na", "native_name": "李娜", "gender": "female", "nationality": "cn"},
        follow=True,
    )
    guest = GuestProfile.objects.for_org(tenants.a.organization).get(native_name="李娜")
    assert response.redirect_chain[-1][0] == reverse("guests:detail", args=[guest.pk])
    assert "Guest profile created." in response.content.decode()
    assert guest.nationality == "CN"
    assert "guest.create" in audit_actions(guest)


def test_creating_a_guest_refuses_missing_and_oversized_fields(desk, tenants):
    before = GuestProfile.objects.for_org(tenants.a.organization).count()
    response = desk.post(
        reverse("guests:create"),
        {"family_name": "", "given_name": "x" * 5000, "nationality": "China", "gender": "robot"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"family_name", "given_name", "nationality", "gender"}
    assert GuestProfile.objects.for_org(tenants.a.organization).count() == before


def _edit_data(guest, **changes):
    data = {
        "family_name": guest.family_name,
        "given_name": guest.given_name,
        "native_name": guest.native_name,
        "gender": guest.gender,
        "vip_level": guest.vip_level,
        "status": guest.status,
        "nationality": guest.nationality,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_editing_the_profile_records_the_changed_fields(desk, tenants):
    guest = tenants.a.guests[0]
    owner = tenants.a.users[Role.GUEST_RELATIONS]
    response = desk.post(
        reverse("guests:edit", args=[guest.pk]),
        _edit_data(
            guest,
            company="Acme",
            vip_level=2,
            relationship_owner=owner.pk,
            consent_sms="on",
            consent_sms_source="web_form",
            credit_grade="A",
            credit_reviewed_on="2025-02-28",
            tags="golf, wine",
            languages=["zh", "en"],
        ),
    )
    assert response.status_code == 302
    guest.refresh_from_db()
    assert (guest.company, guest.vip_level, guest.relationship_owner, guest.tags) == (
        "Acme",
        2,
        owner,
        ["golf", "wine"],
    )
    assert guest.languages == ["zh", "en"]
    assert guest.consent_sms and guest.consent_sms_at is not None
    assert guest.credit_review_due_on == datetime.date(2025, 8, 28)
    event = (
        AuditEvent.objects.for_org(guest.organization_id)
        .filter(object_id=str(guest.pk), action="guest.update")
        .latest("pk")
    )
    assert {"company", "vip_level", "consent_sms", "credit_grade"} <= set(event.fields)


def test_editing_refuses_bad_input_with_field_errors(desk, tenants):
    guest = tenants.a.guests[0]
    foreign_user = tenants.b.users[Role.MANAGER]
    response = desk.post(
        reverse("guests:edit", args=[guest.pk]),
        _edit_data(
            guest,
            family_name="y" * 101,
            vip_level=9,
            consent_email="on",
            nationality="X1",
            status="blacklisted",
            relationship_owner=foreign_user.pk,
            credit_reviewed_on="2999-01-01",
            notes="n" * 6000,
            tags="t" * 41,
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    for field in (
        "family_name",
        "vip_level",
        "consent_email_source",
        "nationality",
        "status_reason",
        "relationship_owner",
        "credit_reviewed_on",
        "notes",
        "tags",
    ):
        assert field in errors, field
    guest.refresh_from_db()
    assert guest.family_name == "AlphaFamily0" and guest.vip_level == 0


def test_adding_a_phone_or_email(desk, tenants):
    guest = tenants.a.guests[1]
    desk_user = tenants.a.users[Role.FRONT_DESK]
    GuestProfileUserObjectPermission.objects.create(
        organization=tenants.a.organization,
        user=desk_user,
        content_object=guest,
        permission=Permission.objects.get(codename="open_confidential_guestprofile"),
    )
    path = reverse("guests:contact-add", args=[guest.pk])
    assert desk.post(path, {"kind": "phone", "value": "139 1234 5678", "label": "mobile"}).status_code == 302
    assert desk.post(path, {"kind": "email", "value": "Li.Na@Example.COM"}).status_code == 302
    values = sorted(c.value for c in guest.contacts.all())
    assert values == ["+8613912345678", "li.na@example.com"]
    assert audit_actions(guest).count("guest.contact_add") == 2


@pytest.mark.parametrize(
    "kind, value, message",
    [
        ("phone", "12345", "is not a valid phone number"),
        ("phone", "call me maybe", "is not a phone number"),
        ("email", "li.na@", "Enter a valid email address."),
        ("email", "a" * 300 + "@example.com", "Ensure this value has at most 254 characters"),
    ],
)
def test_an_invalid_phone_or_email_is_a_field_error(desk, tenants, kind, value, message):
    guest = tenants.a.guests[0]
    response = desk.post(reverse("guests:contact-add", args=[guest.pk]), {"kind": kind, "value": value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["value"])
    assert guest.contacts.count() == 2


def test_setting_the_birth_date(desk, tenants):
    guest = tenants.a.guests[0]
    path = reverse("guests:birth-date", args=[guest.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = desk.post(path, {"birth_date": tomorrow.isoformat()})
    assert "A birth date cannot be in the future." in response.context["form"].errors["birth_date"]
    response = desk.post(path, {"birth_date": "1985-02-30"})
    assert "birth_date" in response.context["form"].errors
    assert desk.post(path, {"birth_date": "1985-07-09"}).status_code == 302
    guest.refresh_from_db()
    assert (guest.birth_date, guest.birth_month_day, guest.birth_decade) == ("1985-07-09", (7, 9), 1980)


def test_setting_a_preference_from_the_catalog(desk, tenants):
    guest = tenants.a.guests[0]
    organization = tenants.a.organization
    newspaper = PreferenceTypeFactory(
        organization=organization, name="Newspaper", value_type="choice", choices=["China Daily", "FT"]
    )
    smoking = PreferenceTypeFactory(organization=organization, name="Smoking", value_type="yes_no")
    retired = PreferenceTypeFactory(organization=organization, name="Retired", is_active=False)
    foreign = PreferenceTypeFactory(organization=tenants.b.organization, name="Foreign")
    path = reverse("guests:preference-set", args=[guest.pk])
    form = desk.get(path).context["form"]
    offered = set(form.fields["preference_type"].queryset)
    assert newspaper in offered and retired not in offered and foreign not in offered

    assert (
        "Choose one of: China Daily, FT."
        in desk.post(path, {"preference_type": newspaper.pk, "value": "Times"}).context["form"].errors["value"]
    )
    assert (
        "Answer yes or no (是 or 否)."
        in desk.post(path, {"preference_type": smoking.pk, "value": "maybe"}).context["form"].errors["value"]
    )
    assert "value" in desk.post(path, {"preference_type": newspaper.pk, "value": "x" * 2001}).context["form"].errors
    for bad in (retired, foreign):
        assert "preference_type" in desk.post(path, {"preference_type": bad.pk, "value": "x"}).context["form"].errors

    response = desk.post(path, {"preference_type": newspaper.pk, "value": "FT"}, follow=True)
    assert "Preference saved." in response.content.decode()
    assert GuestPreference.objects.for_org(organization).get(guest=guest, preference_type=newspaper).value == "FT"
    assert "guest.preference_set" in audit_actions(guest)


def test_a_sensitive_preference_needs_the_separate_consent_first(desk, tenants):
    guest = tenants.a.guests[0]
    allergy = PreferenceTypeFactory(organization=tenants.a.organization, name="Allergies", is_sensitive=True)
    path = reverse("guests:preference-set", args=[guest.pk])
    response = desk.post(path, {"preference_type": allergy.pk, "value": "Peanuts"})
    assert "separate consent" in " ".join(response.context["form"].non_field_errors())
    assert not GuestPreference.objects.for_org(guest.organization_id).filter(preference_type=allergy).exists()

    consent = reverse("guests:sensitive-consent", args=[guest.pk])
    assert "confirmed" in desk.post(consent, {"purpose": "Meals"}).context["form"].errors
    assert "purpose" in desk.post(consent, {"purpose": "p" * 301, "confirmed": "on"}).context["form"].errors
    assert "purpose" in desk.post(consent, {"purpose": "   ", "confirmed": "on"}).context["form"].errors
    assert desk.post(consent, {"purpose": "Safe meals", "confirmed": "on"}).status_code == 302
    assert desk.post(path, {"preference_type": allergy.pk, "value": "Peanuts"}).status_code == 302
    assert (
        GuestPreference.objects.for_org(guest.organization_id).get(preference_type=allergy).sensitive_value == "Peanuts"
    )
    assert "guest.sensitive_consent" in audit_actions(guest)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"calendar": "gregorian", "month": 13, "day": 1}, "month"),
        ({"calendar": "gregorian", "month": 0, "day": 1}, "month"),
        ({"calendar": "gregorian", "month": 4, "day": 31}, "day"),
        ({"calendar": "gregorian", "month": 1, "day": 32}, "day"),
        ({"calendar": "lunar", "month": 1, "day": 31}, "day"),
        ({"calendar": "gregorian", "month": 1, "day": 1, "is_leap_month": "on"}, "is_leap_month"),
        ({"calendar": "gregorian", "month": 1, "day": 1, "label": "l" * 101}, "label"),
        ({"calendar": "gregorian", "month": 1, "day": 1, "year": 99999}, "year"),
        ({"calendar": "chinese", "month": 1, "day": 1}, "calendar"),
        ({"calendar": "gregorian", "month": "x" * 1000, "day": 1}, "month"),
    ],
)
def test_an_impossible_special_date_is_a_field_error(desk, tenants, data, field):
    guest = tenants.a.guests[0]
    response = desk.post(reverse("guests:special-date-add", args=[guest.pk]), {"kind": "birthday", **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert SpecialDate.objects.for_org(guest.organization_id).filter(guest=guest).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"calendar": "gregorian", "month": 2, "day": 29},
        {"calendar": "lunar", "month": 4, "day": 30, "is_leap_month": "on"},
    ],
)
def test_special_dates_that_exist_are_saved(desk, tenants, data):
    guest = tenants.a.guests[0]
    response = desk.post(reverse("guests:special-date-add", args=[guest.pk]), {"kind": "anniversary", **data})
    assert response.status_code == 302
    assert SpecialDate.objects.for_org(guest.organization_id).filter(guest=guest, kind="anniversary").count() == 1
    assert "guest.special_date_add" in audit_actions(guest)


def test_setting_the_identity_document(desk, tenants):
    guest = tenants.a.guests[0]
    path = reverse("guests:document", args=[guest.pk])
    response = desk.post(path, {"document_type": "resident_id", "number": VALID_RESIDENT_ID})
    assert "separate consent" in " ".join(response.context["form"].non_field_errors())
    services.guest_sensitive_consent_record(guest=guest, purpose="Registration", actor=None)
    response = desk.post(path, {"document_type": "resident_id", "number": "110105194912310021"})
    assert "checksum does not match" in " ".join(response.context["form"].errors["number"])
    assert "number" in desk.post(path, {"document_type": "passport", "number": "E" * 61}).context["form"].errors
    assert "number" in desk.post(path, {"document_type": "passport", "number": "E12/345"}).context["form"].errors
    assert desk.post(path, {"document_type": "resident_id", "number": "110105 19491231 002x"}).status_code == 302
    guest.refresh_from_db()
    assert guest.document_number == VALID_RESIDENT_ID
    assert (
        "document_number"
        in AuditEvent.objects.for_org(guest.organization_id)
        .filter(object_id=str(guest.pk), action="guest.update")
        .latest("pk")
        .fields
    )


# --- the other organization --------------------------------------------------------------------

PROFILE_ROUTES = [
    "detail",
    "edit",
    "contact-add",
    "birth-date",
    "preference-set",
    "special-date-add",
    "sensitive-consent",
    "document",
]


@pytest.mark.parametrize("name", PROFILE_ROUTES)
def test_organization_b_ids_answer_404_on_every_profile_route(client, tenants, name):
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    for guest in tenants.b.guests:
        path = reverse(f"guests:{name}", args=[guest.pk])
        assert client.get(path).status_code == 404
        assert (
            client.post(path, {"family_name": "Hijack", "value": "+8613912345678", "kind": "phone"}).status_code == 404
        )
    assert client.get(reverse(f"guests:{name}", args=[987654321])).status_code == 404
    assert not GuestProfile.objects.for_org(tenants.b.organization).filter(family_name="Hijack").exists()


def test_search_never_shows_organization_b(desk, tenants):
    for query in ("Bravo", "bravo.guest@example.test", "+8613800138000", ""):
        assert "Bravo" not in rows(desk, query)


def test_a_preference_answered_in_chinese_is_stored_as_the_catalog_value(desk, tenants):
    guest = tenants.a.guests[0]
    organization = tenants.a.organization
    pillow = PreferenceTypeFactory(
        organization=organization, name="Pillow", value_type="choice", choices=["Feather", "Buckwheat"]
    )
    smoking = PreferenceTypeFactory(organization=organization, name="Smoking", value_type="yes_no")
    path = reverse("guests:preference-set", args=[guest.pk])
    assert desk.post(path, {"preference_type": smoking.pk, "value": "是"}).status_code == 302
    assert desk.post(path, {"preference_type": pillow.pk, "value": "荞麦"}).status_code == 302
    stored = dict(
        GuestPreference.objects.for_org(organization).filter(guest=guest).values_list("preference_type__name", "value")
    )
    assert stored["Smoking"] == "yes" and stored["Pillow"] == "Buckwheat"
    assert desk.post(path, {"preference_type": smoking.pk, "value": "否"}).status_code == 302
    assert desk.post(path, {"preference_type": pillow.pk, "value": "feather"}).status_code == 302
    stored = dict(
        GuestPreference.objects.for_org(organization).filter(guest=guest).values_list("preference_type__name", "value")
    )
    assert stored["Smoking"] == "no" and stored["Pillow"] == "Feather"
