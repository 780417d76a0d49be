"""Which hotel greets a guest for the group's occasions (birthday, anniversary, holiday): the
guest's home hotel, the hotel of their latest stay, as the group's first run of the day saw it."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from care import services
from care.audience import audience_count
from care.models import Campaign, CampaignKind, Delivery, Holiday, HomeGuests, JobRun
from guests.models import Stay
from tests.care.helpers import campaign, care_guest, care_settings
from tests.factories import StayFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 5, 17)
BIRTHDAY = datetime.date(1980, 5, 17)


def _select(hotel, day=DAY):
    run = JobRun.objects.create(organization=hotel.organization, hotel=hotel, job="care.daily", local_date=day)
    services.care_run_select(organization_id=hotel.organization_id, run_id=run.pk)
    return run


def _stay(tenant, hotel, guest, arrival_on, status="checked_out"):
    return StayFactory(
        hotel=hotel,
        organization=tenant.organization,
        guest=guest,
        status=status,
        arrival_on=arrival_on,
        departure_on=arrival_on + datetime.timedelta(days=2),
    )


def _greeted(tenant, guest):
    return sorted(Delivery.objects.for_org(tenant.organization).filter(guest=guest).values_list("hotel_id", flat=True))


@pytest.fixture
def two_hotels(tenants):
    """Both hotels of group A greet birthdays and Mid-Autumn, with no frequency cap to hide a double greeting."""
    grand, riverside = tenants.a.hotels
    mid_autumn = Holiday.objects.create(
        organization=tenants.a.organization, name="Mid-Autumn", calendar="dated", on_date=DAY
    )
    for hotel in (grand, riverside):
        care_settings(hotel, frequency_cap_days=0)
        campaign(hotel, name="Birthday")
        campaign(hotel, kind=CampaignKind.HOLIDAY, holiday=mid_autumn, name="Mid-Autumn")
    return grand, riverside


def test_a_guest_of_two_hotels_is_greeted_once_by_the_hotel_of_their_latest_stay(tenants, two_hotels):
    grand, riverside = two_hotels
    a = tenants.a
    traveller = care_guest(a, grand, name="Traveller", email="t@example.test", birthday=BIRTHDAY)  # Grand, March 2025
    _stay(a, riverside, traveller, datetime.date(2025, 9, 1))
    _stay(a, grand, traveller, datetime.date(2026, 1, 5), status="cancelled")  # a cancelled booking does not count
    loyal = care_guest(a, grand, name="Loyal", email="l@example.test", birthday=BIRTHDAY)
    never_came = care_guest(a, grand, name="NeverCame", email="n@example.test", birthday=BIRTHDAY)
    Stay.objects.for_org(a.organization).filter(guest=never_came).update(status="no_show")
    # The editor's preview counts the same split, computed on the spot.
    assert audience_count(_campaign(grand, "Birthday"), DAY, cap_days=0, now=timezone.now()) == 1
    assert audience_count(_campaign(riverside, "Birthday"), DAY, cap_days=0, now=timezone.now()) == 1

    _select(grand)
    _select(riverside)

    assert _greeted(a, traveller) == [riverside.pk, riverside.pk]  # birthday and Mid-Autumn, both from Riverside
    assert _greeted(a, loyal) == [grand.pk, grand.pk]
    assert _greeted(a, never_came) == []
    snapshot = {h.hotel_id: set(h.guest_ids) for h in HomeGuests.objects.for_org(a.organization).filter(local_date=DAY)}
    assert traveller.pk in snapshot[riverside.pk] and traveller.pk not in snapshot[grand.pk]
    assert loyal.pk in snapshot[grand.pk] and never_came.pk not in snapshot[grand.pk] | snapshot[riverside.pk]


def test_a_stay_recorded_between_two_hotels_runs_moves_nobody_that_day(tenants, two_hotels):
    """The day's split is taken once for the group: the guest is greeted once, not twice or never."""
    grand, riverside = two_hotels
    a = tenants.a
    guest = care_guest(a, grand, name="Mover", email="m@example.test", birthday=BIRTHDAY)

    _select(riverside)  # the group's first run of the day takes the snapshot: Grand is the guest's home
    _stay(a, riverside, guest, DAY, status="in_house")  # checks in at Riverside that afternoon
    _select(grand)

    assert _greeted(a, guest) == [grand.pk, grand.pk]
    assert HomeGuests.objects.for_org(a.organization).filter(local_date=DAY).count() == 2


def test_a_greeting_already_queued_by_another_hotel_is_not_repeated(tenants, two_hotels):
    """Should a hotel see a guest as its own after another hotel greeted them for the same
    occasion (a snapshot pruned or taken anew for a hotel added later), the first greeting stands."""
    grand, riverside = two_hotels
    a = tenants.a
    guest = care_guest(a, grand, name="Once", email="o@example.test", birthday=BIRTHDAY)
    _select(grand)
    _stay(a, riverside, guest, DAY, status="in_house")
    HomeGuests.objects.for_org(a.organization).filter(local_date=DAY).delete()
    _select(riverside)

    assert guest.pk in HomeGuests.objects.for_org(a.organization).get(hotel=riverside, local_date=DAY).guest_ids
    assert _greeted(a, guest) == [grand.pk, grand.pk]
    # A different occasion (the next day's holiday) is Riverside's to greet.
    next_day = DAY + datetime.timedelta(days=1)
    Holiday.objects.for_org(a.organization).filter(name="Mid-Autumn").update(on_date=next_day)
    _select(riverside, next_day)
    assert _greeted(a, guest) == [grand.pk, grand.pk, riverside.pk]


def test_snapshots_older_than_the_catch_up_window_are_dropped(tenants, two_hotels):
    grand, _riverside = two_hotels
    _select(grand, DAY - datetime.timedelta(days=20))
    _select(grand, DAY)
    assert sorted(set(HomeGuests.objects.for_org(tenants.a.organization).values_list("local_date", flat=True))) == [DAY]
    # Another group's snapshots are its own business (B's is from 2026, long past, and stays).
    assert list(HomeGuests.objects.for_org(tenants.b.organization).values_list("local_date", flat=True)) == [
        datetime.date(2026, 1, 1)
    ]


@override_settings(CARE_CHUNK_SIZE=3)
def test_a_run_is_sent_in_chunks_of_the_configured_size(tenants, two_hotels):
    grand, _riverside = two_hotels
    guests = [
        care_guest(tenants.a, grand, name=f"Chunk{i}", email=f"c{i}@example.test", birthday=BIRTHDAY) for i in range(7)
    ]
    run = _select(grand)
    chunks = services.care_run_select(organization_id=grand.organization_id, run_id=run.pk)
    ids = sorted(Delivery.objects.for_org(tenants.a.organization).filter(run=run).values_list("pk", flat=True))
    assert len(ids) == 2 * len(guests)  # birthday and Mid-Autumn
    assert chunks == [(ids[0], ids[2]), (ids[3], ids[5]), (ids[6], ids[8]), (ids[9], ids[11]), (ids[12], ids[13])]
    assert JobRun.objects.for_org(tenants.a.organization).get(pk=run.pk).chunks == 5


def _campaign(hotel, name):
    return Campaign.objects.for_hotel(hotel).get(name=name)
