"""Shared fixtures: two organizations, each with two hotels and a user per role.

Every test can ask "and the outsider?": `tenants.a` and `tenants.b` are independent groups.
"""
from dataclasses import dataclass, field

import pytest

from hotelcrm.models import Role
from tests.factories import GuestFactory, HotelFactory, MembershipFactory, OrganizationFactory, StayFactory, UserFactory


@dataclass
class Tenant:
    organization: object
    hotels: list
    users: dict  # role -> user (front desk, guest relations and manager at hotels[0])
    guests: list = field(default_factory=list)
    stays: list = field(default_factory=list)


def build_tenant(label):
    organization = OrganizationFactory(name=f"{label} Hotels Group", slug=f"{label.lower()}-group")
    hotels = [
        HotelFactory(organization=organization, name=f"{label} Grand", code=f"{label.lower()}-grand", time_zone="Asia/Shanghai"),
        HotelFactory(organization=organization, name=f"{label} Riverside", code=f"{label.lower()}-river", time_zone="Europe/London"),
    ]
    users = {}
    for role in Role:
        user = UserFactory(username=f"{label.lower()}-{role.value}")
        MembershipFactory(user=user, hotel=hotels[0], organization=organization, role=role)
        users[role] = user
    guests = [
        GuestFactory(organization=organization, family_name=f"{label}Family{i}", given_name=f"{label}Given{i}", native_name=f"{label}名{i}")
        for i in range(2)
    ]
    stays = [
        StayFactory(hotel=hotels[i % 2], organization=organization, guest=guests[i % 2], pms_reservation_id=f"{label}-RES-{i}")
        for i in range(2)
    ]
    return Tenant(organization=organization, hotels=hotels, users=users, guests=guests, stays=stays)


@dataclass
class Tenants:
    a: Tenant
    b: Tenant


@pytest.fixture
def tenants(db):
    return Tenants(a=build_tenant("Alpha"), b=build_tenant("Bravo"))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The deploy hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    # Deploy settings serve hashed files from the manifest, as production does: build it once.
    from django.conf import settings
    from django.core.management import call_command

    if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
        call_command("collectstatic", interactive=False, verbosity=0)
