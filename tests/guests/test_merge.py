"""Duplicates review queue, merge, undo and dismiss."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from guests import merge as merging
from guests import services
from guests.birth_dates import birth_date_index
from guests.models import (
    AccessRequest,
    DuplicateDecision,
    GuestContact,
    GuestPreference,
    GuestProfile,
    GuestProfileUserObjectPermission,
    MergeRecord,
    SpecialDate,
    Stay,
)
from hotelcrm.models import AuditEvent, Role
from tests.factories import GuestFactory, PreferenceTypeFactory, StayFactory

OWNED_ROWS = (  # (model, foreign key to the guest)
    (Stay, "guest_id"),
    (GuestContact, "guest_id"),
    (GuestPreference, "guest_id"),
    (SpecialDate, "guest_id"),
    (AccessRequest, "guest_id"),
    (GuestProfileUserObjectPermission, "content_object_id"),
)


def pair_ids(candidates):
    return {(c.a_id, c.b_id): c for c in candidates}


def guest(tenant, **fields):
    return GuestFactory(organization=tenant.organization, **fields)


def ownership(organization, *guests):
    """Who owns which row, for every table that points at a guest."""
    ids = [g.pk for g in guests]
    return {
        model._meta.label: dict(model.objects.for_org(organization).filter(**{f"{fk}__in": ids}).values_list("pk", fk))
        for model, fk in OWNED_ROWS
    }


def profile_state(g):
    g = GuestProfile.objects.for_org(g.organization_id).get(pk=g.pk)
    return {f.attname: getattr(g, f.attname) for f in GuestProfile._meta.concrete_fields if f.attname != "updated_at"}


def preference_values(organization, *guests):
    return sorted(
        GuestPreference.objects.for_org(organization)
        .filter(guest__in=guests)
        .values_list("pk", "guest_id", "preference_type_id", "value", "recorded_at")
    )


@pytest.fixture
def actors(tenants):
    return tenants.a.users


@pytest.fixture
def rich_pair(tenants, actors):
    """Two profiles of one guest, each with stays, contacts, preferences, dates and grants; one contact and one preference shared."""
    a = tenants.a
    desk, _manager = actors[Role.FRONT_DESK], actors[Role.MANAGER]
    survivor = guest(
        a,
        family_name="Chen",
        given_name="Li",
        native_name="陈丽",
        company="Acme",
        tags=["golf", "vip"],
        notes="Prefers quiet rooms",
    )
    merged = guest(
        a,
        family_name="Chen",
        given_name="Lily",
        native_name="",
        company="Acme Trading",
        title="Dr",
        tags=["vip", "wine"],
        notes="Allergic to feathers",
        vip_level=2,
        address="1 Bund Road, Shanghai",
        consent_email=True,
        consent_email_at=timezone.now(),
        consent_email_source="web_form",
    )
    for g, res in ((survivor, "S"), (merged, "M")):
        for i in range(2):
            StayFactory(hotel=a.hotels[i], organization=a.organization, guest=g, pms_reservation_id=f"{res}-{i}")
    services.guest_contact_add(guest=survivor, kind="email", raw_value="li.chen@example.test", actor=desk)
    services.guest_contact_add(guest=merged, kind="email", raw_value="li.chen@example.test", actor=desk)
    services.guest_contact_add(guest=merged, kind="phone", raw_value="+8613912345678", actor=desk)
    pillow = PreferenceTypeFactory(organization=a.organization, code="merge-test-pillow", name="Pillow")
    paper = PreferenceTypeFactory(organization=a.organization, code="merge-test-paper", name="Newspaper")
    services.guest_preference_set(guest=survivor, preference_type=pillow, value="Feather", actor=desk)
    services.guest_preference_set(guest=merged, preference_type=pillow, value="Buckwheat", actor=desk)
    services.guest_preference_set(guest=merged, preference_type=paper, value="FT", actor=desk)
    services.special_date_add(guest=survivor, kind="birthday", month=3, day=4, actor=desk)
    services.special_date_add(guest=merged, kind="anniversary", month=6, day=7, actor=desk)
    AccessRequest.objects.create(
        organization=a.organization, hotel=a.hotels[0], guest=merged, requested_by=desk, reason="arrival"
    )
    GuestProfileUserObjectPermission.objects.create(
        organization=a.organization,
        user=desk,
        content_object=merged,
        permission=Permission.objects.get(codename="open_confidential_guestprofile"),
    )
    services.guest_birth_date_set(guest=merged, birth_date=datetime.date(1985, 2, 3), actor=desk)
    survivor.refresh_from_db()
    merged.refresh_from_db()
    return survivor, merged, pillow


# --- The queue --------------------------------------------------------------------------------


def test_candidates_are_found_by_email_phone_document_and_similar_name_with_birthday(tenants, actors):
    a, desk = tenants.a, actors[Role.FRONT_DESK]
    e1, e2 = guest(a, family_name="Email1"), guest(a, family_name="Email2")
    services.guest_contact_add(guest=e1, kind="email", raw_value="Same@Example.test", actor=desk)
    services.guest_contact_add(guest=e2, kind="email", raw_value="same@example.test ", actor=desk)
    p1, p2 = guest(a, family_name="Phone1"), guest(a, family_name="Phone2")
    services.guest_contact_add(guest=p1, kind="phone", raw_value="+86 139 0000 1111", actor=desk)
    services.guest_contact_add(guest=p2, kind="phone", raw_value="+8613900001111", actor=desk)
    d1, d2 = guest(a, family_name="Doc1", sensitive_consent=True), guest(a, family_name="Doc2", sensitive_consent=True)
    for g in (d1, d2):
        services.guest_document_set(guest=g, document_type="passport", raw_number="E12345678", actor=desk)
    n1 = guest(a, family_name="Zhang", given_name="Wei Ming")
    n2 = guest(a, family_name="Zhang", given_name="Weiming")
    n3 = guest(a, family_name="Zhang", given_name="Wei Ming")  # same name, other birthday: no pair
    for g, day in ((n1, 9), (n2, 9), (n3, 10)):
        services.guest_birth_date_set(guest=g, birth_date=datetime.date(1970, 1, day), actor=desk)
    different = guest(a, family_name="Other")
    services.guest_birth_date_set(guest=different, birth_date=datetime.date(1970, 1, 9), actor=desk)
    # Organization B has the same email: never paired across tenants.
    services.guest_contact_add(
        guest=tenants.b.guests[0], kind="email", raw_value="same@example.test", actor=tenants.b.users[Role.FRONT_DESK]
    )

    found = pair_ids(merging.duplicate_candidates(organization=a.organization))

    assert found[(e1.pk, e2.pk)].reasons == ["email"]
    assert found[(p1.pk, p2.pk)].reasons == ["phone"]
    assert found[(d1.pk, d2.pk)].reasons == ["document"]
    assert found[(n1.pk, n2.pk)].reasons == ["name_birth"]
    assert (n1.pk, n3.pk) not in found and (n1.pk, different.pk) not in found
    assert (
        found[(d1.pk, d2.pk)].score
        > found[(e1.pk, e2.pk)].score
        > found[(p1.pk, p2.pk)].score
        > found[(n1.pk, n2.pk)].score
    )
    b_ids = {g.pk for g in GuestProfile.objects.for_org(tenants.b.organization)}
    assert not any(x in b_ids or y in b_ids for x, y in found)
    ordered = [c.score for c in merging.duplicate_candidates(organization=a.organization)]
    assert ordered == sorted(ordered, reverse=True)


def test_several_signals_add_up_and_each_pair_is_listed_once(tenants, actors):
    a, desk = tenants.a, actors[Role.FRONT_DESK]
    g1, g2 = guest(a, family_name="Wu"), guest(a, family_name="Wu")
    for g in (g1, g2):
        services.guest_contact_add(guest=g, kind="email", raw_value="wu@example.test", actor=desk)
        services.guest_contact_add(guest=g, kind="phone", raw_value="+8613700001111", actor=desk)
    found = [c for c in merging.duplicate_candidates(organization=a.organization) if {c.a_id, c.b_id} == {g1.pk, g2.pk}]
    assert len(found) == 1
    assert (found[0].a_id, found[0].b_id) == (g1.pk, g2.pk)
    assert found[0].score == merging.WEIGHT_EMAIL + merging.WEIGHT_PHONE
    assert found[0].reasons == ["email", "phone"]


def test_dismissed_and_merged_pairs_leave_the_queue(client, tenants, actors, rich_pair):
    a, desk, relations = tenants.a, actors[Role.FRONT_DESK], actors[Role.GUEST_RELATIONS]
    x, y = guest(a, family_name="Xu"), guest(a, family_name="Xu")
    for g in (x, y):
        services.guest_contact_add(guest=g, kind="email", raw_value="xu@example.test", actor=desk)
    survivor, merged, _pillow = rich_pair
    before = pair_ids(merging.duplicate_candidates(organization=a.organization))
    assert (x.pk, y.pk) in before and (survivor.pk, merged.pk) in before

    client.force_login(relations)
    response = client.post(reverse("guests:duplicate-dismiss", args=[y.pk, x.pk]))
    assert response.status_code == 302
    assert DuplicateDecision.objects.for_org(a.organization).filter(guest_a=x, guest_b=y).exists()
    assert (
        AuditEvent.objects.for_org(a.organization)
        .filter(action="guest.duplicate_dismissed", object_id=str(x.pk))
        .exists()
    )
    merging.guest_merge(survivor=survivor, merged=merged, field_choices={}, actor=relations)

    after = pair_ids(merging.duplicate_candidates(organization=a.organization))
    assert (x.pk, y.pk) not in after and (survivor.pk, merged.pk) not in after
    # Dismissing twice is harmless.
    assert client.post(reverse("guests:duplicate-dismiss", args=[x.pk, y.pk])).status_code == 302
    assert DuplicateDecision.objects.for_org(a.organization).filter(guest_a=x, guest_b=y).count() == 1


def _make_pairs(tenant, desk, count, start):
    for i in range(start, start + count):
        g1, g2 = guest(tenant, family_name=f"Pair{i}"), guest(tenant, family_name=f"Pair{i}")
        for g in (g1, g2):
            services.guest_contact_add(guest=g, kind="email", raw_value=f"pair{i}@example.test", actor=desk)


def test_the_queue_page_runs_a_constant_number_of_queries(client, tenants, actors, django_assert_max_num_queries):
    desk, manager = actors[Role.FRONT_DESK], actors[Role.MANAGER]
    _make_pairs(tenants.a, desk, 3, 0)
    client.force_login(manager)
    with django_assert_max_num_queries(12) as few:
        response = client.get(reverse("guests:duplicates"))
    assert response.status_code == 200
    _make_pairs(tenants.a, desk, 30, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("guests:duplicates"))
    assert len(response.context["page"].object_list) == 25
    assert response.context["total"] == 33
    assert client.get(reverse("guests:duplicates"), {"page": "x"}).status_code == 200
    assert client.get(reverse("guests:duplicates"), {"page": "999"}).status_code == 200


def test_front_desk_may_not_review_duplicates_and_only_managers_undo(client, tenants, actors, rich_pair):
    survivor, merged, _pillow = rich_pair
    client.force_login(actors[Role.FRONT_DESK])
    assert client.get(reverse("guests:duplicates")).status_code == 403
    assert client.get(reverse("guests:merge", args=[survivor.pk, merged.pk])).status_code == 403
    assert client.post(reverse("guests:merge", args=[survivor.pk, merged.pk]), {"survivor": "a"}).status_code == 403
    assert client.post(reverse("guests:duplicate-dismiss", args=[survivor.pk, merged.pk])).status_code == 403
    record = merging.guest_merge(survivor=survivor, merged=merged, field_choices={}, actor=actors[Role.MANAGER])
    client.force_login(actors[Role.GUEST_RELATIONS])
    assert client.post(reverse("guests:merge-undo", args=[record.pk])).status_code == 403
    record.refresh_from_db()
    assert record.undone_at is None


def test_a_confidential_profile_is_masked_in_the_queue_and_not_compared_without_access(client, tenants, actors):
    a, desk = tenants.a, actors[Role.FRONT_DESK]
    secret = guest(a, family_name="Secretname", is_confidential=True)
    plain = guest(a, family_name="Secretname")
    for g in (secret, plain):
        services.guest_contact_add(guest=g, kind="phone", raw_value="+8613611112222", actor=desk)
    client.force_login(actors[Role.GUEST_RELATIONS])
    body = client.get(reverse("guests:duplicates")).content.decode()
    assert "Secretname" not in body and "S***" in body
    assert client.get(reverse("guests:merge", args=[plain.pk, secret.pk])).status_code == 403
    client.force_login(actors[Role.MANAGER])
    assert "Secretname" in client.get(reverse("guests:duplicates")).content.decode()


# --- Merge ------------------------------------------------------------------------------------


def test_the_compare_page_shows_both_profiles_and_audits_the_look(client, tenants, actors, rich_pair):
    survivor, merged, pillow = rich_pair
    client.force_login(actors[Role.GUEST_RELATIONS])
    response = client.get(reverse("guests:merge", args=[survivor.pk, merged.pk]))
    assert response.status_code == 200
    keys = [row["key"] for row in response.context["rows"]]
    assert {
        "name",
        "company",
        "title",
        "vip_level",
        "notes",
        "address",
        "birth_date",
        f"preference:{pillow.pk}",
    } <= set(keys)
    assert "gender" not in keys  # same on both
    body = response.content.decode()
    assert "Buckwheat" in body and "Feather" in body
    looks = AuditEvent.objects.for_org(tenants.a.organization).filter(action="guest.view_sensitive")
    assert {e.object_id for e in looks} >= {str(survivor.pk), str(merged.pk)}


def test_merging_keeps_every_row_applies_the_choices_and_leaves_a_resolving_id(client, tenants, actors, rich_pair):
    org = tenants.a.organization
    survivor, merged, pillow = rich_pair
    old_merged_events = set(
        AuditEvent.objects.for_org(org).filter(object_id=str(merged.pk)).values_list("pk", flat=True)
    )
    assert old_merged_events
    before = ownership(org, survivor, merged)
    expected_on_survivor = {
        label: sum(1 for owner in rows.values() if owner in (survivor.pk, merged.pk)) for label, rows in before.items()
    }
    # The shared email and the pillow both had are not doubled (unique per guest): one each on the survivor.
    expected_on_survivor["guests.GuestContact"] -= 1
    expected_on_survivor["guests.GuestPreference"] -= 1

    client.force_login(actors[Role.GUEST_RELATIONS])
    response = client.post(
        reverse("guests:merge", args=[survivor.pk, merged.pk]),
        {
            "survivor": "a",
            "choice-company": "b",
            "choice-title": "b",
            "choice-vip_level": "b",
            "choice-name": "a",
            "choice-address": "b",
            f"choice-preference:{pillow.pk}": "b",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("guests:detail", args=[survivor.pk])

    after = ownership(org, survivor, merged)
    on_survivor = {label: sum(1 for owner in rows.values() if owner == survivor.pk) for label, rows in after.items()}
    assert on_survivor == expected_on_survivor
    # Nothing disappeared: every row is still there, on one of the two.
    assert {label: set(rows) for label, rows in after.items()} == {label: set(rows) for label, rows in before.items()}

    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert (survivor.company, survivor.title, survivor.vip_level) == ("Acme Trading", "Dr", 2)
    assert (survivor.family_name, survivor.given_name, survivor.native_name) == ("Chen", "Li", "陈丽")
    assert survivor.address == "1 Bund Road, Shanghai"
    assert survivor.notes == "Prefers quiet rooms"
    assert survivor.tags == ["golf", "vip", "wine"]
    assert survivor.consent_email and survivor.consent_email_source == "web_form"  # the more recent consent
    # Not picked, but the survivor had none: the merged profile's birth date is taken.
    assert (survivor.birth_decade, survivor.birth_month_day, survivor.birth_date_index) == (
        1980,
        (2, 3),
        birth_date_index(survivor.organization_id, datetime.date(1985, 2, 3)),
    )
    assert GuestPreference.objects.for_org(org).get(guest=survivor, preference_type=pillow).value == "Buckwheat"
    assert merged.merged_into_id == survivor.pk

    assert merging.guest_resolve(organization=org, guest_id=merged.pk) == survivor
    assert merging.guest_resolve(organization=org, guest_id=survivor.pk) == survivor
    assert merging.guest_resolve(organization=tenants.b.organization, guest_id=merged.pk) is None
    still = set(AuditEvent.objects.for_org(org).filter(object_id=str(merged.pk)).values_list("pk", flat=True))
    assert old_merged_events < still
    merges = AuditEvent.objects.for_org(org).filter(action="guest.merge")
    assert {e.object_id for e in merges} == {str(survivor.pk), str(merged.pk)}
    record = MergeRecord.objects.for_org(org).get(survivor=survivor, merged=merged, undone_at__isnull=True)
    # The snapshot keeps encrypted values encrypted.
    assert "address" in record.snapshot or survivor.address == ""
    assert "1 Bund Road" not in str(record.snapshot)


def test_birth_date_is_taken_as_a_whole_when_chosen(tenants, actors, rich_pair):
    survivor, merged, _pillow = rich_pair
    services.guest_birth_date_set(guest=survivor, birth_date=datetime.date(1985, 3, 2), actor=actors[Role.FRONT_DESK])
    survivor.refresh_from_db()
    merging.guest_merge(
        survivor=survivor, merged=merged, field_choices={"birth_date": "merged"}, actor=actors[Role.MANAGER]
    )
    survivor.refresh_from_db()
    assert survivor.birth_date == "1985-02-03"
    assert (survivor.birth_decade, survivor.birth_month_day, survivor.birth_date_index) == (
        1980,
        (2, 3),
        birth_date_index(survivor.organization_id, datetime.date(1985, 2, 3)),
    )


def test_a_confidential_flag_carries_over_to_the_kept_profile(tenants, actors):
    a = tenants.a
    open_profile, secret = (
        guest(a, family_name="Open"),
        guest(a, family_name="Open", is_confidential=True, status="blacklisted", status_reason="fraud"),
    )
    merging.guest_merge(survivor=open_profile, merged=secret, field_choices={}, actor=actors[Role.MANAGER])
    open_profile.refresh_from_db()
    assert (
        open_profile.is_confidential and open_profile.status == "blacklisted" and open_profile.status_reason == "fraud"
    )


def test_merging_a_profile_with_itself_or_with_another_organization_is_refused(client, tenants, actors):
    mine, theirs = tenants.a.guests[0], tenants.b.guests[0]
    relations = actors[Role.GUEST_RELATIONS]
    client.force_login(relations)
    response = client.post(reverse("guests:merge", args=[mine.pk, mine.pk]), {"survivor": "a"}, follow=True)
    assert "cannot be merged with itself" in response.content.decode()
    assert client.get(reverse("guests:merge", args=[mine.pk, theirs.pk])).status_code == 404
    assert client.post(reverse("guests:merge", args=[mine.pk, theirs.pk]), {"survivor": "a"}).status_code == 404
    assert client.post(reverse("guests:merge", args=[theirs.pk, mine.pk]), {"survivor": "b"}).status_code == 404
    with pytest.raises(merging.MergeRefused):
        merging.guest_merge(survivor=mine, merged=mine, field_choices={}, actor=relations)
    with pytest.raises(merging.MergeRefused):
        merging.guest_merge(survivor=mine, merged=theirs, field_choices={}, actor=relations)
    assert not GuestProfile.objects.for_org(tenants.b.organization).filter(merged_into__isnull=False).exists()
    assert not GuestProfile.objects.for_org(tenants.a.organization).filter(merged_into__isnull=False).exists()


def test_malformed_merge_input_is_a_clear_error_and_changes_nothing(client, tenants, actors, rich_pair):
    org = tenants.a.organization
    survivor, merged, _pillow = rich_pair
    state = profile_state(survivor), profile_state(merged), ownership(org, survivor, merged)
    client.force_login(actors[Role.GUEST_RELATIONS])
    url = reverse("guests:merge", args=[survivor.pk, merged.pk])
    for data in ({}, {"survivor": "c"}, {"survivor": "a", "choice-company": "zzz"}, {"survivor": "a" * 10000}):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert "Choose which profile" in response.content.decode()
    assert (profile_state(survivor), profile_state(merged), ownership(org, survivor, merged)) == state
    with pytest.raises(merging.MergeRefused):
        merging.guest_merge(
            survivor=survivor, merged=merged, field_choices={"organization": "merged"}, actor=actors[Role.MANAGER]
        )
    with pytest.raises(merging.MergeRefused):
        merging.guest_merge(
            survivor=survivor, merged=merged, field_choices={"name": "both"}, actor=actors[Role.MANAGER]
        )
    assert (profile_state(survivor), profile_state(merged), ownership(org, survivor, merged)) == state


def test_an_already_merged_profile_cannot_be_merged_again(client, tenants, actors, rich_pair):
    survivor, merged, _pillow = rich_pair
    third = guest(tenants.a, family_name="Third")
    merging.guest_merge(survivor=survivor, merged=merged, field_choices={}, actor=actors[Role.MANAGER])
    with pytest.raises(merging.MergeRefused):
        merging.guest_merge(survivor=third, merged=merged, field_choices={}, actor=actors[Role.MANAGER])
    client.force_login(actors[Role.GUEST_RELATIONS])
    response = client.post(reverse("guests:merge", args=[merged.pk, third.pk]), {"survivor": "b"}, follow=True)
    assert "already been merged" in response.content.decode()


def test_merged_ids_resolve_along_a_chain(tenants, actors):
    a, manager = tenants.a, actors[Role.MANAGER]
    first, second, third = guest(a), guest(a), guest(a)
    merging.guest_merge(survivor=second, merged=first, field_choices={}, actor=manager)
    merging.guest_merge(survivor=third, merged=second, field_choices={}, actor=manager)
    assert merging.guest_resolve(organization=a.organization, guest_id=first.pk) == third
    assert merging.guest_resolve(organization=a.organization, guest_id=987654321) is None


# --- Undo -------------------------------------------------------------------------------------


def test_undo_restores_field_values_and_row_ownership_exactly_and_only_once(client, tenants, actors, rich_pair):
    org = tenants.a.organization
    survivor, merged, pillow = rich_pair
    before = (
        profile_state(survivor),
        profile_state(merged),
        ownership(org, survivor, merged),
        preference_values(org, survivor, merged),
    )
    record = merging.guest_merge(
        survivor=survivor,
        merged=merged,
        actor=actors[Role.GUEST_RELATIONS],
        field_choices={
            "name": "merged",
            "company": "merged",
            "address": "merged",
            "birth_date": "merged",
            "notes": "merged",
            f"preference:{pillow.pk}": "merged",
        },
    )
    assert profile_state(survivor) != before[0]

    client.force_login(actors[Role.MANAGER])
    response = client.post(reverse("guests:merge-undo", args=[record.pk]), follow=True)
    assert "Merge undone" in response.content.decode()
    after = (
        profile_state(survivor),
        profile_state(merged),
        ownership(org, survivor, merged),
        preference_values(org, survivor, merged),
    )
    assert after == before
    record.refresh_from_db()
    assert record.undone_at is not None and record.undone_by == actors[Role.MANAGER]
    undone = AuditEvent.objects.for_org(org).filter(action="guest.merge_undone")
    assert {e.object_id for e in undone} == {str(survivor.pk), str(merged.pk)}
    assert merging.guest_resolve(organization=org, guest_id=merged.pk) == merged

    response = client.post(reverse("guests:merge-undo", args=[record.pk]), follow=True)
    assert "already been undone" in response.content.decode()
    assert (
        profile_state(survivor),
        profile_state(merged),
        ownership(org, survivor, merged),
        preference_values(org, survivor, merged),
    ) == before
    assert AuditEvent.objects.for_org(org).filter(action="guest.merge_undone").count() == 2


def test_undo_is_refused_once_the_kept_profile_was_merged_elsewhere_or_received_a_later_merge(tenants, actors):
    a, manager = tenants.a, actors[Role.MANAGER]
    first, second, third, fourth = guest(a), guest(a), guest(a), guest(a)
    record = merging.guest_merge(survivor=second, merged=first, field_choices={}, actor=manager)
    onward = merging.guest_merge(survivor=third, merged=second, field_choices={}, actor=manager)
    with pytest.raises(merging.MergeRefused, match="merged into another profile"):
        merging.guest_merge_undo(merge=record, actor=manager)
    merging.guest_merge_undo(merge=onward, actor=manager)
    merging.guest_merge(survivor=second, merged=fourth, field_choices={}, actor=manager)
    with pytest.raises(merging.MergeRefused, match="later merge"):
        merging.guest_merge_undo(merge=record, actor=manager)
    first.refresh_from_db()
    assert first.merged_into_id == second.pk


# --- Isolation --------------------------------------------------------------------------------


def test_organization_b_ids_answer_404_on_every_duplicates_route(client, tenants, actors):
    b = tenants.b
    b_guest, other_b_guest = b.guests
    b_merge = MergeRecord.objects.for_org(b.organization).first()
    mine = tenants.a.guests[0]
    client.force_login(actors[Role.GROUP_ADMIN])
    for a_id, b_id in ((b_guest.pk, other_b_guest.pk), (mine.pk, b_guest.pk), (b_guest.pk, mine.pk)):
        for method in ("get", "post"):
            response = getattr(client, method)(reverse("guests:merge", args=[a_id, b_id]), {"survivor": "a"})
            assert response.status_code == 404
            assert "Bravo" not in response.content.decode()
        assert client.post(reverse("guests:duplicate-dismiss", args=[a_id, b_id])).status_code == 404
    assert client.post(reverse("guests:merge-undo", args=[b_merge.pk])).status_code == 404
    assert client.post(reverse("guests:merge-undo", args=[987654321])).status_code == 404
    assert "Bravo" not in client.get(reverse("guests:duplicates")).content.decode()
    assert (
        not DuplicateDecision.objects.for_org(b.organization).exclude(guest_a=b_guest, guest_b=other_b_guest).exists()
    )


def test_blank_relationship_owner_and_credit_are_filled_from_the_merged_profile_and_undone(tenants, actors):
    a, manager = tenants.a, actors[Role.MANAGER]
    kept = guest(a, family_name="Kept")
    other = guest(
        a,
        family_name="Kept",
        relationship_owner=manager,
        credit_grade="B",
        credit_reviewed_on=datetime.date(2024, 1, 2),
        pms_profile_id="PMS-9",
    )
    before = profile_state(kept)
    record = merging.guest_merge(survivor=kept, merged=other, field_choices={}, actor=manager)
    kept.refresh_from_db()
    assert (kept.relationship_owner_id, kept.credit_grade, kept.credit_reviewed_on, kept.pms_profile_id) == (
        manager.pk,
        "B",
        datetime.date(2024, 1, 2),
        "PMS-9",
    )
    merging.guest_merge_undo(merge=record, actor=manager)
    assert profile_state(kept) == before


# --- stored pairs ------------------------------------------------------------------------------------


def test_pairs_are_stored_as_guests_change_and_the_nightly_rebuild_finds_the_same(tenants):
    from guests.duplicates import duplicate_pairs_rebuild
    from guests.models import DuplicatePair

    organization = tenants.a.organization
    first = GuestFactory(organization=organization, family_name="Pairtest", given_name="One")
    second = GuestFactory(organization=organization, family_name="Pairtest", given_name="Two")
    stored = DuplicatePair.objects.for_org(organization)
    assert not stored.filter(first_guest_id=first.pk, second_guest_id=second.pk).exists()
    services.guest_contact_add(guest=first, kind="email", raw_value="pair.test@example.test", actor=None)
    services.guest_contact_add(guest=second, kind="email", raw_value="pair.test@example.test", actor=None)
    pair = stored.get(first_guest_id=first.pk, second_guest_id=second.pk)
    assert pair.reasons == ["email"] and pair.score == merging.WEIGHT_EMAIL
    # (The tenant fixture stores one made-up pair of its own guests; the rebuild rightly drops it.)
    ours = stored.filter(first_guest_id__in=[first.pk, second.pk])
    snapshot = sorted(ours.values_list("first_guest_id", "second_guest_id", "score", "reasons"))
    duplicate_pairs_rebuild(organization_id=organization.pk)
    assert sorted(ours.values_list("first_guest_id", "second_guest_id", "score", "reasons")) == snapshot
    # A contact removed: the pair goes at once.
    GuestContact.objects.for_org(organization).filter(guest=second).delete()
    assert not stored.filter(first_guest_id=first.pk, second_guest_id=second.pk).exists()


def test_the_queue_reads_the_stored_pairs_only(tenants):
    from guests.models import DuplicatePair

    organization = tenants.a.organization
    first = GuestFactory(organization=organization, family_name="Stored", given_name="A")
    second = GuestFactory(organization=organization, family_name="Stored", given_name="B")
    DuplicatePair.objects.create(
        organization=organization, first_guest_id=first.pk, second_guest_id=second.pk, score=99, reasons=["document"]
    )
    top = merging.duplicate_candidates(organization=organization)[0]
    assert (top.a_id, top.b_id, top.score) == (first.pk, second.pk, 99)
    assert not any(
        {c.a_id, c.b_id} == {first.pk, second.pk}
        for c in merging.duplicate_candidates(organization=tenants.b.organization)
    )
