"""An RFM segment's guests feed a care campaign: saved as a care segment (a snapshot of the
drill-down list), targeted by a one-off campaign under care's own rules."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from care.audience import audience_count
from care.models import CampaignKind, Segment
from guests import services as guest_services
from guests.models import GuestProfile
from hotelcrm.models import AuditEvent, Role
from reports import services
from reports.models import GuestRfm
from tests.care.helpers import campaign
from tests.reports.data import END, START, generate_stays

pytestmark = pytest.mark.django_db
WIDE = (START - datetime.timedelta(days=400), END + datetime.timedelta(days=60))
URL = reverse("reports:segment-to-care")


@pytest.fixture
def generated(tenants):
    for tenant, seed in ((tenants.a, 1), (tenants.b, 2)):
        generate_stays(tenant, seed=seed)
        services.rollups_rebuild(
            organization=tenant.organization, hotels=tenant.hotels, start=WIDE[0], end=WIDE[1], as_of=END
        )
    return tenants


def _biggest_segment(tenant, hotel):
    rows = GuestRfm.objects.for_org(tenant.organization).filter(hotel=hotel)
    counts = {}
    for segment in rows.values_list("segment", flat=True):
        counts[segment] = counts.get(segment, 0) + 1
    segment = max(counts, key=counts.get)
    return segment, set(rows.filter(segment=segment).values_list("guest_id", flat=True))


def _reachable(tenant, guest):
    """Consent and an email address, so care's rules let a campaign reach the guest."""
    GuestProfile.objects.for_org(tenant.organization).filter(pk=guest.pk).update(
        consent_email=True, do_not_contact=False, is_confidential=False, status="active"
    )
    guest_services.guest_contact_add(
        guest=guest, kind="email", raw_value=f"g{guest.pk}@example.test", actor=tenant.users[Role.MANAGER]
    )


def test_a_manager_saves_a_segment_and_a_one_off_campaign_greets_exactly_those_guests(client, generated):
    a = generated.a
    hotel = a.hotels[0]
    segment, members = _biggest_segment(a, hotel)
    assert len(members) >= 3
    client.force_login(a.users[Role.MANAGER])
    page = client.get(reverse("reports:segment"), {"segment": segment}).content.decode()
    assert 'id="segment-to-care"' in page

    response = client.post(URL, {"segment": segment})
    assert response.status_code == 302 and response["Location"] == reverse("care:campaign-create")
    saved = Segment.objects.for_org(a.organization).get(name__startswith="RFM ")
    assert set(saved.filters["guest_ids"]) == members
    assert saved.name.startswith("RFM ") and hotel.name in saved.name
    assert (
        AuditEvent.objects.for_org(a.organization).filter(action="care.segment_save", object_id=str(saved.pk)).exists()
    )
    assert "choose it in a one-off campaign" in client.get(reverse("care:campaign-create")).content.decode()

    # Two members and one outsider (who stayed at the same hotel) can be reached by email.
    inside = list(GuestProfile.objects.for_org(a.organization).filter(pk__in=members).order_by("pk")[:2])
    outsider = (
        GuestProfile.objects.for_org(a.organization)
        .exclude(pk__in=members)
        .filter(pk__in=GuestRfm.objects.for_org(a.organization).filter(hotel=hotel).values("guest_id"))
        .first()
    )
    for guest in [*inside, outsider]:
        _reachable(a, guest)
    day = timezone.localdate()
    one_off = campaign(hotel, kind=CampaignKind.ONE_OFF, segment=saved, scheduled_on=day)
    assert audience_count(one_off, day, cap_days=0, now=timezone.now()) == 2

    # An empty list is nobody, never everybody.
    nobody = Segment.objects.create(organization=a.organization, name="Nobody", filters={"guest_ids": []})
    empty = campaign(hotel, kind=CampaignKind.ONE_OFF, segment=nobody, scheduled_on=day, name="empty")
    assert audience_count(empty, day, cap_days=0, now=timezone.now()) == 0


def test_only_managers_may_save_and_bad_input_is_answered(client, generated):
    a = generated.a
    segment, _members = _biggest_segment(a, a.hotels[0])
    client.force_login(a.users[Role.FRONT_DESK])
    assert client.post(URL, {"segment": segment}).status_code == 403
    client.force_login(a.users[Role.MANAGER])
    assert client.get(URL).status_code == 405
    assert client.post(URL, {"segment": "nope"}).status_code == 400
    assert not Segment.objects.for_org(a.organization).filter(name__startswith="RFM ").exists()


def test_a_segment_with_no_guests_saves_nothing_and_says_why(client, generated):
    from reports.selectors import RFM_SEGMENTS

    a = generated.a
    hotel = a.hotels[0]
    present = set(GuestRfm.objects.for_org(a.organization).filter(hotel=hotel).values_list("segment", flat=True))
    empty = next((code for code in RFM_SEGMENTS if code not in present), None)
    if empty is None:  # every segment is populated by the generator: empty one out
        empty = next(iter(RFM_SEGMENTS))
        GuestRfm.objects.for_org(a.organization).filter(hotel=hotel, segment=empty).delete()
    client.force_login(a.users[Role.MANAGER])
    response = client.post(URL, {"segment": empty}, follow=True)
    assert "This segment has no guests to save." in response.content.decode()
    assert not Segment.objects.for_org(a.organization).filter(name__startswith="RFM ").exists()


def test_another_organization_s_guests_never_enter_the_saved_segment(client, generated):
    a, b = generated.a, generated.b
    segment, members = _biggest_segment(b, b.hotels[0])
    client.force_login(b.users[Role.MANAGER])
    client.post(URL, {"segment": segment})
    saved = Segment.objects.for_org(b.organization).get(name__startswith="RFM ")
    assert set(saved.filters["guest_ids"]) == members
    assert not GuestProfile.objects.for_org(a.organization).filter(pk__in=saved.filters["guest_ids"]).exists()
    assert not Segment.objects.for_org(a.organization).filter(name__startswith="RFM ").exists()
