"""The set-based batch path: the same final state as one event at a time, points earned once,
one audit event per change, a constant number of queries, and a batch the database refuses
redone event by event."""

import datetime
import random

from django.db import connection

from guests.models import Stay
from hotelcrm.audit_chain import chain_verify
from hotelcrm.models import AuditEvent, Role
from integrations.models import GuestLink
from loyalty import services as loyalty
from loyalty.models import LedgerEntry, Membership, SourceType
from tests.factories import GuestFactory

T0 = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)
GUESTS = 5  # the first four are loyalty members


def _event(
    reservation, event, version, profile, *, minutes=0, revenue="0.00", arrival="2026-11-10", departure="2026-11-13"
):
    return {
        "reservation_id": reservation,
        "event": event,
        "version": version,
        "event_at": (T0 + datetime.timedelta(minutes=minutes)).isoformat(),
        "arrival_on": arrival,
        "departure_on": departure,
        "pms_profile_id": profile,
        "details": {"room_type": "Deluxe", "room_revenue": revenue},
    }


def _events():
    """Three reservations per guest: checked out; checked out then corrected; booked then cancelled."""
    events = []
    for g in range(GUESTS):
        profile = f"PG-{g}"
        done, fixed, gone = f"R-{g}-done", f"R-{g}-fixed", f"R-{g}-gone"
        events += [
            _event(done, "booked", 1, profile),
            _event(done, "checked_in", 2, profile, minutes=5),
            _event(done, "checked_out", 3, profile, minutes=9, revenue="1500.00"),
            _event(fixed, "booked", 1, profile, arrival="2026-11-20", departure="2026-11-22"),
            _event(fixed, "checked_in", 2, profile, minutes=5, arrival="2026-11-20", departure="2026-11-22"),
            _event(
                fixed,
                "checked_out",
                3,
                profile,
                minutes=9,
                revenue="900.00",
                arrival="2026-11-20",
                departure="2026-11-22",
            ),
            _event(
                fixed,
                "modified",
                4,
                profile,
                minutes=30,
                revenue="400.00",
                arrival="2026-11-20",
                departure="2026-11-21",
            ),
            _event(gone, "booked", 1, profile, arrival="2026-12-01", departure="2026-12-05"),
            _event(gone, "cancelled", 2, profile, minutes=3, arrival="2026-12-01", departure="2026-12-05"),
        ]
    return events


def _setup(tenant):
    hotel = tenant.hotels[0]
    for g in range(GUESTS):
        guest = GuestFactory(organization=tenant.organization, family_name=f"Batch{g}", given_name="Guest")
        GuestLink.objects.create(organization=tenant.organization, hotel=hotel, pms_profile_id=f"PG-{g}", guest=guest)
        if g < GUESTS - 1:
            loyalty.membership_enrol(guest=guest, actor=tenant.users[Role.MANAGER], hotel=hotel)


def _final_state(tenant):
    """Stays, nights and revenue per reservation; balance and qualifying nights per guest; base points per stay."""
    stays = Stay.objects.for_hotel(tenant.hotels[0]).filter(pms_reservation_id__startswith="R-").select_related("guest")
    rows = sorted((s.pms_reservation_id, s.status, s.nights, str(s.room_revenue), s.guest.family_name) for s in stays)
    members = Membership.objects.for_org(tenant.organization).filter(guest__family_name__startswith="Batch")
    entries = LedgerEntry.objects.for_org(tenant.organization)
    balances = sorted(
        (
            m.guest.family_name,
            m.balance,
            sum(entries.filter(membership_id=m.pk).values_list("qualifying_nights", flat=True)),
        )
        for m in members.select_related("guest")
    )
    by_pk = {str(s.pk): s.pms_reservation_id for s in stays}
    base = {}
    for entry in LedgerEntry.objects.for_org(tenant.organization).filter(
        source_type=SourceType.STAY, source_id__in=by_pk
    ):
        base[by_pk[entry.source_id]] = base.get(by_pk[entry.source_id], 0) + entry.points
    return rows, balances, sorted(base.items())


def test_a_batch_posted_three_times_out_of_order_ends_as_single_events_in_order(api, tenants):
    for tenant in (tenants.a, tenants.b):
        _setup(tenant)
    events = _events()
    one_by_one, _key = api(tenant=tenants.a)
    for event in events:
        response = one_by_one.post("/api/v1/stays/events/", event)
        assert response.status_code == 200 and response.json()["result"] == "applied", response.content
    expected = _final_state(tenants.a)
    assert expected[1][0][1] > 0  # members earned points, so the comparison covers them

    batch, _key = api(tenant=tenants.b)
    shuffled = list(events)
    random.Random(3).shuffle(shuffled)
    bodies = [batch.post("/api/v1/stays/events/batch/", {"events": shuffled}).json() for _round in range(3)]
    assert bodies[0]["errors"] == 0 and bodies[0]["applied"] + bodies[0]["ignored"] == len(events)
    assert bodies[1]["ignored"] == bodies[2]["ignored"] == len(events)  # the replays change nothing
    assert _final_state(tenants.b) == expected
    in_order, _key = api(tenant=tenants.b)
    assert in_order.post("/api/v1/stays/events/batch/", {"events": events}).json()["ignored"] == len(events)
    assert _final_state(tenants.b) == expected


def test_checkout_points_are_earned_once_across_batches(api, tenants):
    _setup(tenants.a)
    pms, _key = api()
    first = [_event("R-P", "booked", 1, "PG-0"), _event("R-P", "checked_in", 2, "PG-0", minutes=1)]
    checkout = [_event("R-P", "checked_out", 3, "PG-0", minutes=2, revenue="2000.00")]
    pms.post("/api/v1/stays/events/batch/", {"events": first})
    for _round in range(2):
        pms.post("/api/v1/stays/events/batch/", {"events": first + checkout})
    stay = Stay.objects.for_hotel(tenants.a.hotels[0]).get(pms_reservation_id="R-P")
    earned = LedgerEntry.objects.for_org(tenants.a.organization).filter(source_id=str(stay.pk))
    assert sorted(earned.values_list("source_type", "points")) == [(SourceType.FIRST_STAY, 500), (SourceType.STAY, 200)]


def test_each_applied_change_is_audited_with_the_key_and_the_chain_holds(api, tenants):
    _setup(tenants.a)
    pms, key = api()
    events = [
        _event("R-A1", "booked", 1, "PG-4"),
        _event("R-A1", "checked_in", 2, "PG-4", minutes=1),
        _event("R-A1", "checked_in", 2, "PG-4", minutes=1),
        _event("R-A2", "booked", 1, "PG-4"),
    ]
    body = pms.post("/api/v1/stays/events/batch/", {"events": events}).json()
    assert [r["result"] for r in body["results"]] == ["applied", "applied", "ignored", "applied"]
    assert [r["status"] for r in body["results"]] == ["booked", "in_house", "in_house", "booked"]
    stays = {
        s.pms_reservation_id: s
        for s in Stay.objects.for_hotel(tenants.a.hotels[0]).filter(pms_reservation_id__startswith="R-A")
    }
    assert body["results"][0]["stay_id"] == body["results"][2]["stay_id"] == stays["R-A1"].pk
    audit = AuditEvent.objects.for_org(tenants.a.organization).filter(action__startswith="stay.").order_by("id")
    assert [(e.action, e.object_id, e.extra["previous_status"], e.extra["status"]) for e in audit] == [
        ("stay.create", str(stays["R-A1"].pk), None, "booked"),
        ("stay.update", str(stays["R-A1"].pk), "booked", "in_house"),
        ("stay.create", str(stays["R-A2"].pk), None, "booked"),
    ]
    assert all(e.actor_label == key.label and e.extra["api_key_id"] == key.pk for e in audit)
    assert audit[1].fields == ["status"]
    checked, broken = chain_verify(tenants.a.organization.pk)
    assert broken is None and checked >= 3


def test_a_batch_costs_the_same_queries_for_ten_or_two_hundred_events(api, tenants, django_assert_max_num_queries):
    hotel = tenants.a.hotels[0]
    guests = [GuestFactory(organization=tenants.a.organization) for _ in range(20)]
    for i, guest in enumerate(guests):
        GuestLink.objects.create(
            organization=tenants.a.organization, hotel=hotel, pms_profile_id=f"PQ-{i}", guest=guest
        )
    pms, _key = api()
    small = [_event(f"R-Q{i}", "booked", 1, f"PQ-{i % 20}") for i in range(10)]
    large = [_event(f"R-Q{i}", "checked_in", 2, f"PQ-{i % 20}", minutes=1) for i in range(200)]
    with django_assert_max_num_queries(30) as small_queries:
        assert pms.post("/api/v1/stays/events/batch/", {"events": small}).json()["applied"] == 10
    with django_assert_max_num_queries(len(small_queries) + 3):
        assert pms.post("/api/v1/stays/events/batch/", {"events": large}).json()["applied"] == 200


def test_a_new_profile_in_a_batch_is_created_once_from_its_inline_guest(api, tenants):
    pms, _key = api()
    inline = {"family_name": "Zhou", "given_name": "Yu"}
    events = [
        _event("R-N1", "booked", 1, "NEW-1"),
        {**_event("R-N2", "booked", 1, "NEW-1"), "guest": inline},
        _event("R-N3", "booked", 1, "NEW-1"),
    ]
    body = pms.post("/api/v1/stays/events/batch/", {"events": events}).json()
    assert [r["result"] for r in body["results"]] == ["error", "applied", "applied"]
    assert "pms_profile_id" in body["results"][0]["error"]["field_errors"]
    link = GuestLink.objects.for_hotel(tenants.a.hotels[0]).get(pms_profile_id="NEW-1")
    assert set(
        Stay.objects.for_hotel(tenants.a.hotels[0])
        .filter(pms_reservation_id__in=["R-N2", "R-N3"])
        .values_list("guest_id", flat=True)
    ) == {link.guest_id}


def test_a_row_the_database_refuses_fails_only_its_event(api, tenants):
    _setup(tenants.a)
    with connection.cursor() as cursor:  # a real refusal by PostgreSQL (rolled back with the test)
        cursor.execute("""
            CREATE FUNCTION test_refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.pms_reservation_id = 'R-BOOM' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER test_refuse_boom BEFORE INSERT ON guests_stay FOR EACH ROW EXECUTE FUNCTION test_refuse_boom();
        """)
    pms, _key = api()
    events = [
        _event("R-OK1", "booked", 1, "PG-0"),
        _event("R-BOOM", "booked", 1, "PG-0"),
        _event("R-OK2", "booked", 1, "PG-1"),
    ]
    response = pms.post("/api/v1/stays/events/batch/", {"events": events})
    assert response.status_code == 200
    body = response.json()
    assert [r["result"] for r in body["results"]] == ["applied", "error", "applied"]
    assert body["results"][1]["error"]["type"] == "server_error"
    assert set(
        Stay.objects.for_hotel(tenants.a.hotels[0])
        .filter(pms_reservation_id__startswith="R-")
        .values_list("pms_reservation_id", flat=True)
    ) == {"R-OK1", "R-OK2"}


def test_a_modification_that_overtakes_the_checkout_keeps_its_dates_and_the_checkout_its_status(api, tenants):
    _setup(tenants.a)
    pms, _key = api()
    modified = _event("R-M", "modified", 4, "PG-4", minutes=30, revenue="400.00", departure="2026-11-12")
    checkout = _event("R-M", "checked_out", 3, "PG-4", minutes=9, revenue="900.00")
    late_booking = _event("R-M", "booked", 1, "PG-4")
    results = [
        pms.post("/api/v1/stays/events/", e).json()["result"] for e in (modified, checkout, late_booking, checkout)
    ]
    assert results == ["applied", "applied", "ignored", "ignored"]
    stay = Stay.objects.for_hotel(tenants.a.hotels[0]).get(pms_reservation_id="R-M")
    assert (stay.status, stay.departure_on, stay.room_revenue) == ("checked_out", datetime.date(2026, 11, 12), 400)


def test_text_that_is_not_valid_unicode_is_refused_as_malformed_not_a_500(api, tenants):
    _setup(tenants.a)
    pms, _key = api()
    batch = pms.post(
        "/api/v1/stays/events/batch/",
        {"events": [_event("R-T1", "booked", 1, "PG-0"), _event("R-\ud800", "booked", 1, "PG-0")]},
    )
    single = pms.post("/api/v1/stays/events/", _event("R-T2", "booked", 1, "PG-\udfff"))
    assert batch.status_code == single.status_code == 400
    assert batch.json()["type"] == single.json()["type"] == "parse_error"
    assert pms.post("/api/v1/stays/events/", _event("R-T3", "booked", 1, "PG-0", revenue="1.00")).status_code == 200
    assert not Stay.objects.for_hotel(tenants.a.hotels[0]).filter(pms_reservation_id__in=["R-T1", "R-T2"]).exists()
