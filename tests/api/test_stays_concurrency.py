"""Two PMS batches over the same reservations at the same time: both finish, no deadlock, one stay each."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client

from guests.models import Stay
from hotelcrm.audit_chain import chain_verify
from hotelcrm.models import Role
from integrations.models import GuestLink, Scope
from integrations.services import integration_key_create
from tests.factories import GuestFactory

T0 = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)


def _event(i, event, version):
    return {
        "reservation_id": f"R-C{i}",
        "event": event,
        "version": version,
        "event_at": (T0 + datetime.timedelta(minutes=version)).isoformat(),
        "arrival_on": "2026-11-10",
        "departure_on": "2026-11-12",
        "pms_profile_id": f"PC-{i % 10}",
    }


@pytest.mark.django_db(transaction=True)
def test_two_batches_sharing_reservations_in_opposite_orders_both_apply(tenants):
    a = tenants.a
    hotel = a.hotels[0]
    for i in range(10):
        guest = GuestFactory(organization=a.organization)
        GuestLink.objects.create(organization=a.organization, hotel=hotel, pms_profile_id=f"PC-{i}", guest=guest)
    _key, raw = integration_key_create(hotel=hotel, actor=a.users[Role.MANAGER], name="PMS", scopes=list(Scope.values))
    events = [_event(i, "booked", 1) for i in range(100)] + [_event(i, "checked_in", 2) for i in range(100)]
    batches = [events, list(reversed(events))]
    barrier = threading.Barrier(len(batches))
    answers, failures = [], []

    def post(batch):
        try:
            client = Client()
            barrier.wait()
            response = client.post(
                "/api/v1/stays/events/batch/",
                {"events": batch},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {raw}",
            )
            answers.append((response.status_code, response.json()))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures and sorted(status for status, _body in answers) == [200, 200]
    assert all(body["errors"] == 0 for _status, body in answers)
    # Whichever ran first, the second saw its result and applied nothing: the in-order batch first
    # applies 200 events, the reversed one first applies the 100 check-ins (its bookings are older).
    assert sorted(body["applied"] for _status, body in answers) in ([0, 200], [0, 100])
    stays = Stay.objects.for_hotel(hotel).filter(pms_reservation_id__startswith="R-C")
    assert stays.count() == 100 and set(stays.values_list("status", flat=True)) == {"in_house"}
    assert chain_verify(a.organization.pk)[1] is None
