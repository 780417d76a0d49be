import io
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from guests import demo as guest_demo
from guests.models import GuestProfile, Stay, StayStatus, fold_for_search
from guests.selectors import arrivals_on
from hotelcrm import demo
from hotelcrm.models import AuditEvent, Hotel, Membership, Organization, Role

GUESTS = 300

pytestmark = pytest.mark.django_db


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--guests", str(GUESTS), "--no-progress", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def demo_organizations():
    return list(Organization.objects.filter(slug__in=demo.DEMO_SLUGS).order_by("slug"))


def first_guest_names(count=20):
    guests = GuestProfile.objects.all_tenants_unscoped().filter(organization__slug__in=demo.DEMO_SLUGS)
    return list(
        guests.order_by("organization__slug", "id").values_list("family_name", "given_name", "native_name")[:count]
    )


def test_seeding_creates_two_organizations_with_three_hotels_in_three_time_zones():
    seed()
    organizations = demo_organizations()
    assert len(organizations) == 2
    hotels = list(Hotel.objects.all_tenants_unscoped().filter(organization__in=organizations))
    assert len(hotels) == 3
    assert len({hotel.time_zone for hotel in hotels}) == 3
    assert sorted(len([h for h in hotels if h.organization_id == org.pk]) for org in organizations) == [1, 2]


def test_every_role_has_a_demo_user_who_can_sign_in_and_open_the_home_page(client):
    output = seed()
    User = get_user_model()
    roles_seen = set()
    for spec in demo.DEMO_ORGANIZATIONS:
        for staff in spec.staff:
            user = User.objects.get(username=staff.username)
            password = demo.ROLE_PASSWORDS[staff.role]
            assert user.check_password(password)
            assert staff.username in output and password in output
            membership = Membership.objects.all_tenants_unscoped().get(user=user)
            assert membership.role == staff.role
            assert membership.hotel.code == staff.hotel_code
            assert membership.organization.slug == spec.slug
            roles_seen.add(staff.role)
            client.force_login(user)
            assert client.get("/").status_code == 200
    assert roles_seen == set(Role)
    admin = User.objects.get(username=demo.ADMIN_USERNAME)
    assert admin.is_superuser and admin.check_password(demo.ADMIN_PASSWORD)
    assert "Username" in output and demo.ADMIN_PASSWORD in output


def test_demo_passwords_pass_the_password_validators():
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    for spec in demo.DEMO_ORGANIZATIONS:
        for staff in spec.staff:
            user = User(
                username=staff.username,
                first_name=staff.first_name,
                last_name=staff.last_name,
                email=f"{staff.username}@example.com",
            )
            validate_password(demo.ROLE_PASSWORDS[staff.role], user)
    validate_password(demo.ADMIN_PASSWORD, User(username=demo.ADMIN_USERNAME, email="admin@example.com"))


def test_every_guest_and_stay_carries_its_own_organization():
    seed()
    organizations = demo_organizations()
    guests = GuestProfile.objects.all_tenants_unscoped()
    assert guests.count() == GUESTS
    assert all(guests.filter(organization=org).exists() for org in organizations)
    stays = Stay.objects.all_tenants_unscoped()
    assert 2 * GUESTS < stays.count() < 4.5 * GUESTS
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM guests_stay s
            JOIN guests_guestprofile g ON g.id = s.guest_id
            JOIN core_hotel h ON h.id = s.hotel_id
            WHERE s.organization_id <> g.organization_id OR s.organization_id <> h.organization_id
            """
        )
        assert cursor.fetchone()[0] == 0


def test_guests_are_searchable_like_guests_saved_through_the_orm():
    seed()
    guests = list(GuestProfile.objects.all_tenants_unscoped())
    assert all(g.search_name == fold_for_search(g.family_name, g.given_name, g.native_name) for g in guests)
    chinese = [g for g in guests if g.native_name]
    assert chinese and all(g.nationality and g.preferred_language for g in guests)
    # Hanzi in native_name, pinyin in the Latin fields: 王伟 is Wang Wei.
    assert all("\u4e00" <= g.native_name[0] <= "\u9fff" and g.family_name.isascii() for g in chinese)
    assert any(not g.native_name for g in guests)
    assert {g.gender for g in guests} >= {"male", "female"}


def test_each_hotel_has_arrivals_today_in_its_own_time_zone():
    seed()
    for hotel in Hotel.objects.all_tenants_unscoped().filter(organization__slug__in=demo.DEMO_SLUGS):
        assert arrivals_on(hotel=hotel, day=timezone.localdate(timezone=hotel.tz)).exists(), hotel.name


def test_the_front_desk_sees_todays_arrivals_on_the_home_page(client):
    seed()
    desk = get_user_model().objects.get(username="sha.desk")
    hotel = Membership.objects.all_tenants_unscoped().get(user=desk).hotel
    arrival = arrivals_on(hotel=hotel, day=timezone.localdate(timezone=hotel.tz)).first()
    client.force_login(desk)
    assert arrival.guest.family_name in client.get("/").content.decode()


def test_stay_statuses_agree_with_each_hotels_local_date():
    seed()
    for hotel in Hotel.objects.all_tenants_unscoped().filter(organization__slug__in=demo.DEMO_SLUGS):
        today = timezone.localdate(timezone=hotel.tz)
        stays = Stay.objects.for_hotel(hotel)
        assert not stays.filter(status=StayStatus.BOOKED, arrival_on__lt=today).exists()
        assert not stays.filter(status=StayStatus.IN_HOUSE, arrival_on__gt=today).exists()
        assert not stays.filter(status=StayStatus.IN_HOUSE, departure_on__lt=today).exists()
        assert not stays.filter(status=StayStatus.CHECKED_OUT, departure_on__gt=today).exists()
        assert not stays.filter(status=StayStatus.NO_SHOW, arrival_on__gte=today).exists()
        assert stays.filter(status=StayStatus.CHECKED_OUT, room_revenue__gt=0).exists()
        assert not stays.filter(status__in=[StayStatus.BOOKED, StayStatus.CANCELLED], room_revenue__gt=0).exists()
        assert not stays.filter(created_at__gt=timezone.now()).exists()


def test_seeding_twice_changes_nothing_the_second_time():
    seed()
    counts = (
        GuestProfile.objects.all_tenants_unscoped().count(),
        Stay.objects.all_tenants_unscoped().count(),
        get_user_model().objects.count(),
        Membership.objects.all_tenants_unscoped().count(),
    )
    output = seed()
    assert "already loaded" in output
    assert counts == (
        GuestProfile.objects.all_tenants_unscoped().count(),
        Stay.objects.all_tenants_unscoped().count(),
        get_user_model().objects.count(),
        Membership.objects.all_tenants_unscoped().count(),
    )


def test_the_same_seed_gives_the_same_guests_and_another_seed_others():
    seed()
    names = first_guest_names()
    seed("--reset")
    assert first_guest_names() == names
    seed("--reset", "--seed", "7")
    assert first_guest_names() != names


def test_reset_rebuilds_the_data_and_keeps_the_audit_trail():
    seed()
    organization_ids = [org.pk for org in demo_organizations()]
    audit = AuditEvent.objects.all_tenants_unscoped().filter(organization_id__in=organization_ids)
    # One "demo.seeded" per organization, plus what the domain apps' demo data did through
    # their audited services (complaints moved through the workflow, say).
    assert audit.filter(action="demo.seeded").count() == 2
    events = audit.count()
    seed("--reset")
    assert [org.pk for org in demo_organizations()] == organization_ids
    assert GuestProfile.objects.all_tenants_unscoped().count() == GUESTS
    # Nothing of the trail is lost, and the reset seeds the same audited demo again.
    assert audit.filter(action="demo.seeded").count() == 4
    assert audit.count() == 2 * events


def test_a_failure_half_way_leaves_no_demo_data(monkeypatch):
    real_load = guest_demo.load_guests_and_stays
    calls = itertools.count()

    def load_then_fail(*args, **kwargs):
        if next(calls) == 1:
            raise RuntimeError("disk full")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(guest_demo, "load_guests_and_stays", load_then_fail)
    with pytest.raises(RuntimeError):
        seed()
    assert demo_organizations() == []
    assert not GuestProfile.objects.all_tenants_unscoped().exists()
    assert not get_user_model().objects.filter(username="sha.desk").exists()


def test_the_generator_yields_the_same_rows_for_the_same_seed():
    seed()
    organization = Organization.objects.get(slug="demo-yangtze")
    hotels = list(Hotel.objects.for_org(organization).order_by("code"))
    now = timezone.now()

    def rows():
        return list(guest_demo.guest_rows(organization, hotels, 50, demo.demo_rng(1, "x"), now=now))

    first = rows()
    assert first == rows()
    assert all(stay[0] == str(organization.pk) for _guest, stays in first for stay in stays)
