"""The batch guest upsert: one result per item, idempotent by profile id and Idempotency-Key, set-based."""

from guests.models import DuplicatePair, GuestContact, GuestProfile
from guests.selectors import guests_by_contact
from hotelcrm.audit_chain import chain_verify
from hotelcrm.models import AuditEvent
from integrations.models import GuestLink
from tests.api.conftest import error_shape

URL = "/api/v1/guests/upsert/batch/"


def _guest(i, **extra):
    return {"pms_profile_id": f"PB-{i}", "family_name": f"Name{i}", "given_name": "Ann", **extra}


def test_a_batch_creates_updates_and_answers_each_item(api, tenants):
    pms, key = api()
    before = AuditEvent.objects.for_org(tenants.a.organization).order_by("-id").values_list("id", flat=True).first()
    first = pms.post(
        URL,
        {
            "guests": [
                _guest(1, email="Ann1@Example.test", nationality="PRT"),
                _guest(2),
                _guest(3, nationality="XYZ"),
                {"family_name": "No id"},
                "not an object",
                _guest(4, family_name=""),
            ]
        },
    )
    assert first.status_code == 200, first.content
    body = first.json()
    assert [r["result"] for r in body["results"]] == ["created", "created", "error", "error", "error", "error"]
    assert (body["created"], body["errors"]) == (2, 4)
    assert all(error_shape(r["error"]) for r in body["results"][2:])
    assert list(body["results"][2]["error"]["field_errors"]) == ["nationality"]
    assert list(body["results"][3]["error"]["field_errors"]) == ["pms_profile_id"]
    assert list(body["results"][5]["error"]["field_errors"]) == ["family_name"]
    hotel = tenants.a.hotels[0]
    ann = GuestProfile.objects.for_org(tenants.a.organization).get(pk=body["results"][0]["guest_id"])
    assert (ann.family_name, ann.nationality, ann.pms_profile_id, ann.search_name) == (
        "Name1",
        "PT",
        "PB-1",
        "name1 ann",
    )
    assert GuestLink.objects.for_hotel(hotel).get(pms_profile_id="PB-1").guest_id == ann.pk
    assert [
        g.pk
        for g in guests_by_contact(organization=tenants.a.organization, kind="email", raw_value="ann1@example.test")
    ] == [ann.pk]

    second = pms.post(
        URL,
        {
            "guests": [
                _guest(1, email="ann1@example.test", nationality="PT"),
                _guest(2, vip_level=3, phone="+8613812345678"),
                _guest(5),
            ]
        },
    ).json()
    assert [r["result"] for r in second["results"]] == ["unchanged", "updated", "created"]
    assert second["results"][0]["guest_id"] == ann.pk
    assert GuestProfile.objects.for_org(tenants.a.organization).get(pk=second["results"][1]["guest_id"]).vip_level == 3
    assert GuestContact.objects.for_org(tenants.a.organization).filter(guest_id=ann.pk).count() == 1

    audit = (
        AuditEvent.objects.for_org(tenants.a.organization)
        .filter(action__startswith="guest.", id__gt=before)
        .order_by("id")
    )
    assert [e.action for e in audit] == [
        "guest.create",
        "guest.contact_add",
        "guest.create",
        "guest.update",
        "guest.contact_add",
        "guest.create",
    ]
    assert all(e.actor_label == key.label for e in audit)
    assert audit[3].fields == ["vip_level"]
    _checked, broken = chain_verify(tenants.a.organization.pk)
    assert broken is None


def test_a_retried_batch_changes_nothing_and_an_idempotency_key_replays_the_answer(api, tenants):
    pms, _key = api()
    guests = [_guest(i, email=f"g{i}@example.test") for i in range(20)]
    first = pms.post(URL, {"guests": guests}, HTTP_IDEMPOTENCY_KEY="batch-1")
    assert first.json()["created"] == 20
    audits = AuditEvent.objects.for_org(tenants.a.organization).count()
    replay = pms.post(URL, {"guests": guests}, HTTP_IDEMPOTENCY_KEY="batch-1")
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == first.json()
    again = pms.post(URL, {"guests": guests}).json()
    assert again["unchanged"] == 20
    assert [r["guest_id"] for r in again["results"]] == [r["guest_id"] for r in first.json()["results"]]
    assert AuditEvent.objects.for_org(tenants.a.organization).count() == audits
    assert GuestProfile.objects.for_org(tenants.a.organization).filter(pms_profile_id__startswith="PB-").count() == 20


def test_a_profile_sent_twice_in_a_batch_is_one_guest_updated_by_the_second(api, tenants):
    pms, _key = api()
    body = pms.post(URL, {"guests": [_guest(1), _guest(1, given_name="Bea", email="bea@example.test")]}).json()
    assert [r["result"] for r in body["results"]] == ["created", "updated"]
    assert body["results"][0]["guest_id"] == body["results"][1]["guest_id"]
    guest = GuestProfile.objects.for_org(tenants.a.organization).get(pk=body["results"][0]["guest_id"])
    assert (guest.given_name, guest.search_name) == ("Bea", "name1 bea")


def test_duplicate_pairs_are_kept_for_batch_created_guests(api, tenants):
    pms, _key = api()
    body = pms.post(
        URL, {"guests": [_guest(1, email="same@example.test"), _guest(2, email="same@example.test")]}
    ).json()
    first, second = sorted(r["guest_id"] for r in body["results"])
    assert (
        DuplicatePair.objects.for_org(tenants.a.organization)
        .filter(first_guest_id=first, second_guest_id=second)
        .count()
        == 1
    )


def test_unknown_fields_are_named_per_item_and_a_strict_key_refuses_them(api, tenants):
    pms, _key = api()
    body = pms.post(URL, {"guests": [_guest(1, tier="gold"), _guest(2)]}).json()
    assert [r["ignored_fields"] for r in body["results"]] == [["tier"], []]
    strict, _key = api(is_strict=True, hotel_index=1)
    body = strict.post(URL, {"guests": [_guest(1, tier="gold"), _guest(2)]}).json()
    assert [r["result"] for r in body["results"]] == ["error", "created"]
    assert list(body["results"][0]["error"]["field_errors"]) == ["tier"]


def test_a_batch_is_limited_to_a_thousand_and_costs_constant_queries(api, tenants, django_assert_max_num_queries):
    pms, _key = api()
    response = pms.post(URL, {"guests": [_guest(i) for i in range(1001)]})
    assert response.status_code == 400 and list(response.json()["field_errors"]) == ["guests"]
    with django_assert_max_num_queries(40) as small:
        assert (
            pms.post(URL, {"guests": [_guest(i, email=f"s{i}@example.test") for i in range(5)]}).json()["created"] == 5
        )
    with django_assert_max_num_queries(len(small) + 3):
        body = pms.post(
            URL, {"guests": [_guest(i, email=f"l{i}@example.test", vip_level=1) for i in range(300)]}
        ).json()
    assert (body["created"], body["updated"]) == (295, 5)


def test_the_batch_needs_the_guests_write_scope(api):
    pms, _key = api(scopes=["guests:read"])
    response = pms.post(URL, {"guests": [_guest(1)]})
    assert response.status_code == 403 and error_shape(response.json())
