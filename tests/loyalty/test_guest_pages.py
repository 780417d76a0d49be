"""Loyalty on the guest pages: member-number search, the profile card, the arrivals briefing."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotelcrm.models import Role
from loyalty import selectors, services
from loyalty.models import Membership
from tests.factories import GuestFactory, StayFactory


def test_a_member_number_typed_in_the_guest_search_finds_the_member(client, tenants):
    a = tenants.a
    guest = GuestFactory(organization=a.organization, family_name="Qian", given_name="Lu")
    membership = services.membership_enrol(guest=guest, actor=None)
    client.force_login(a.users[Role.FRONT_DESK])
    body = client.get(reverse("guests:list"), {"q": membership.member_number}).content.decode()
    assert "Qian" in body
    typo = membership.member_number[:-1] + str((int(membership.member_number[-1]) + 1) % 10)
    assert "Qian" not in client.get(reverse("guests:list"), {"q": typo}).content.decode()
    b_member = Membership.objects.for_org(tenants.b.organization).first()
    assert "Bravo" not in client.get(reverse("guests:list"), {"q": b_member.member_number}).content.decode()


def test_the_profile_shows_the_loyalty_card_in_constant_queries(client, tenants):
    a = tenants.a
    member_guest, other_guest = GuestFactory(organization=a.organization), GuestFactory(organization=a.organization)
    membership = services.membership_enrol(guest=member_guest, actor=None)
    services.points_award(membership=membership, points=1234, idempotency_key="card")
    client.force_login(a.users[Role.FRONT_DESK])
    client.get(reverse("guests:detail", args=[other_guest.pk]))  # warm the session
    with CaptureQueriesContext(connection) as member_queries:
        body = client.get(reverse("guests:detail", args=[member_guest.pk])).content.decode()
    assert (
        membership.member_number in body and "1234" in body and reverse("loyalty:member", args=[membership.pk]) in body
    )
    with CaptureQueriesContext(connection) as other_queries:
        other = client.get(reverse("guests:detail", args=[other_guest.pk])).content.decode()
    assert reverse("loyalty:enrol", args=[other_guest.pk]) in other
    assert len(member_queries) == len(other_queries)


def test_the_briefing_shows_arriving_members_tiers(client, tenants):
    a = tenants.a
    guest = GuestFactory(organization=a.organization, family_name="Sun")
    membership = services.membership_enrol(guest=guest, actor=None)
    gold = selectors.tiers_of(organization=a.organization)[2]
    Membership.objects.for_org(a.organization).filter(pk=membership.pk).update(tier=gold)
    StayFactory(hotel=a.hotels[0], organization=a.organization, guest=guest, pms_reservation_id="BRIEF-1")
    client.force_login(a.users[Role.FRONT_DESK])
    body = client.get(reverse("guests:briefing")).content.decode()
    assert "Sun" in body and gold.name in body
