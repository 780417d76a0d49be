"""Duplicates: the review queue (reads) and merge / undo / dismiss (writes).

Reads find likely duplicate pairs with a few set-based SQL self-joins over the blind indexes
and the clear birth-date columns, never one query per pair. Writes follow the house shape:
keyword-only arguments, one transaction, the audit events inside.

A merge never deletes anything. The merged profile stays, marked `merged_into`, so its id keeps
resolving (`guest_resolve`) and its audit events stay findable by that id (they are
append-only). Every row moved, and every survivor field overwritten, is written into the
MergeRecord, which is what makes `guest_merge_undo` exact.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import ForeignKey, UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guests.exceptions import GuestError
from guests.models import DuplicateDecision, GuestPreference, GuestProfile, GuestStatus, MergeRecord
from hotelcrm.audit import audit_record
from hotelcrm.crypto import EncryptedTextField, decrypt_text, encrypt_text
from hotelcrm.domain_events import guest_merged
from hotelcrm.tenancy import tenant_models


class MergeRefused(GuestError):
    code = "merge_refused"


# --- What a merge decides, field by field -----------------------------------------------------

# Fields offered as a choice between the two profiles. Fields that only make sense together
# (the three names, the birth date and its indexed parts, the document and its blind index)
# are chosen together, so a merge never mixes one guest's family name with another's given name.
MERGE_FIELD_GROUPS = {
    "name": (gettext_lazy("Name"), ("family_name", "given_name", "native_name")),
    "title": (gettext_lazy("Title"), ("title",)),
    "gender": (gettext_lazy("Gender"), ("gender",)),
    "nationality": (gettext_lazy("Nationality"), ("nationality",)),
    "preferred_language": (gettext_lazy("Preferred language"), ("preferred_language",)),
    "company": (gettext_lazy("Company"), ("company",)),
    "position": (gettext_lazy("Position"), ("position",)),
    "occupation": (gettext_lazy("Occupation"), ("occupation",)),
    "guest_type": (gettext_lazy("Guest type"), ("guest_type",)),
    "value_class": (gettext_lazy("Value class"), ("value_class",)),
    "vip_level": (gettext_lazy("VIP level"), ("vip_level",)),
    "birth_date": (gettext_lazy("Birth date"), ("birth_date", "birthday_index", "birth_date_index", "birth_decade")),
    "address": (gettext_lazy("Address"), ("address",)),
    "document": (gettext_lazy("Identity document"), ("document_type", "document_number", "document_blind_index")),
    "notes": (gettext_lazy("Notes"), ("notes",)),
}
PREFERENCE_CHOICE_PREFIX = "preference:"
SURVIVOR, MERGED = "survivor", "merged"

# Consent per channel: the most recent decision wins, whichever profile holds it (a later
# withdrawal must not be overridden by an older yes). (flag, timestamp, detail fields)
CONSENT_CHANNELS = (
    ("consent_email", "consent_email_at", ("consent_email_source",)),
    ("consent_sms", "consent_sms_at", ("consent_sms_source",)),
    ("consent_phone", "consent_phone_at", ("consent_phone_source",)),
    ("sensitive_consent", "sensitive_consent_at", ("sensitive_consent_purpose",)),
)
# Restrictions survive a merge: merging must never un-hide a confidential guest or re-open
# contact with one who asked for none.
RESTRICTIVE_FLAGS = ("is_confidential", "do_not_contact")
STATUS_SEVERITY = {GuestStatus.ACTIVE: 0, GuestStatus.WARNED: 1, GuestStatus.BLACKLISTED: 2}
# Kept from the survivor, taken from the merged profile only where the survivor has none.
FILL_IF_BLANK = (
    ("relationship_owner",),
    ("pms_profile_id",),
    ("account_opened_on",),
    ("credit_grade", "credit_reviewed_on", "credit_review_due_on"),
)
UNION_LISTS = ("tags", "languages")

# Links to GuestProfile that are about merging itself, not data of the guest.
_NOT_MOVED = {
    ("guests.guestprofile", "merged_into"),
    ("guests.mergerecord", "survivor"),
    ("guests.mergerecord", "merged"),
    ("guests.duplicatedecision", "guest_a"),
    ("guests.duplicatedecision", "guest_b"),
}


def differing_groups(a, b):
    """Names of the field groups where the two profiles hold different values."""
    return [
        name
        for name, (_label, fields) in MERGE_FIELD_GROUPS.items()
        if any(getattr(a, f) != getattr(b, f) for f in fields)
    ]


def guest_links():
    """(model, foreign key) of every tenant model pointing at GuestProfile, found from the model graph.

    A new app's table (complaints, points entries...) is picked up the day it is added.
    """
    links = []
    for model in tenant_models():
        for fk in model._meta.concrete_fields:
            if (
                isinstance(fk, ForeignKey)
                and fk.related_model is GuestProfile
                and (model._meta.label_lower, fk.name) not in _NOT_MOVED
            ):
                links.append((model, fk))
    return links


def _link_key(model, fk):
    return f"{model._meta.label_lower}.{fk.name}"


def _link_from_key(key):
    label, field_name = key.rsplit(".", 1)
    model = apps.get_model(label)
    return model, model._meta.get_field(field_name)


def _unique_sets(model, fk):
    """Unique rules of `model` that include `fk`: (other fields, condition) per rule."""
    rules = []
    if fk.unique:
        rules.append(((), None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and fk.name in constraint.fields and not constraint.expressions:
            rules.append(
                (tuple(f for f in constraint.fields if f not in (fk.name, "organization")), constraint.condition)
            )
    for together in model._meta.unique_together:
        if fk.name in together:
            rules.append((tuple(f for f in together if f not in (fk.name, "organization")), None))
    return rules


def _conflicting_ids(model, fk, organization_id, survivor_id, merged_id):
    """Ids of the merged profile's rows that the survivor already has (a unique rule would refuse them)."""
    conflicts = set()
    rows = model.objects.for_org(organization_id)
    for others, condition in _unique_sets(model, fk):
        scoped = rows.filter(condition) if condition is not None else rows
        if not others:
            if scoped.filter(**{fk.name: survivor_id}).exists():
                conflicts.update(scoped.filter(**{fk.name: merged_id}).values_list("pk", flat=True))
            continue
        taken = set(scoped.filter(**{fk.name: survivor_id}).values_list(*others))
        if taken:
            for pk, *key in scoped.filter(**{fk.name: merged_id}).values_list("pk", *others):
                if tuple(key) in taken:
                    conflicts.add(pk)
    return conflicts


# Snapshot values are JSON. Encrypted fields stay encrypted in it: a merge record must not
# become a plaintext copy of a birth date, an address or a document number.
def _dump(model_field, value):
    if isinstance(model_field, EncryptedTextField):
        return {"encrypted": encrypt_text(value)} if value else ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _load(model_field, stored):
    if isinstance(model_field, EncryptedTextField):
        return decrypt_text(stored["encrypted"]) if stored else ""
    if stored is None:
        return None
    return model_field.to_python(stored)


def _merged_values(survivor, merged, field_choices):
    """The survivor's new values (attname -> value), only where they change."""
    new = {}

    def take(*names):
        for name in names:
            attname = GuestProfile._meta.get_field(name).attname
            new[attname] = getattr(merged, attname)

    for group, choice in field_choices.items():
        if group in MERGE_FIELD_GROUPS and choice == MERGED:
            take(*MERGE_FIELD_GROUPS[group][1])
    for flag, at, details in CONSENT_CHANNELS:
        theirs, ours = getattr(merged, at), getattr(survivor, at)
        if theirs is not None and (ours is None or theirs > ours):
            take(flag, at, *details)
    for flag in RESTRICTIVE_FLAGS:
        if getattr(merged, flag) and not getattr(survivor, flag):
            take(flag)
    if STATUS_SEVERITY.get(merged.status, 0) > STATUS_SEVERITY.get(survivor.status, 0):
        take("status", "status_reason")
    for names in FILL_IF_BLANK:
        first = GuestProfile._meta.get_field(names[0]).attname
        if getattr(survivor, first) in (None, "") and getattr(merged, first) not in (None, ""):
            take(*names)
    for name in UNION_LISTS:
        ours = list(getattr(survivor, name))
        new[name] = ours + [item for item in getattr(merged, name) if item not in ours]
    return {attname: value for attname, value in new.items() if getattr(survivor, attname) != value}


def _clean_choices(field_choices):
    cleaned = {}
    for key, choice in (field_choices or {}).items():
        if choice not in (SURVIVOR, MERGED):
            raise MergeRefused(_("Choose which profile each field is taken from."))
        if key in MERGE_FIELD_GROUPS:
            cleaned[key] = choice
        elif key.startswith(PREFERENCE_CHOICE_PREFIX) and key[len(PREFERENCE_CHOICE_PREFIX) :].isdigit():
            cleaned[key] = choice
        else:
            raise MergeRefused(_("“%(field)s” is not a field that can be merged.") % {"field": key[:60]})
    return cleaned


def _lock_pair(organization_id, first_id, second_id):
    """Both profiles, locked, lower id first.

    The stable order matters: two managers merging crossing pairs (A into B, B into A) would
    otherwise each hold one lock and wait for the other, and PostgreSQL would kill one as a
    deadlock. ORDER BY under FOR UPDATE locks the rows in the sorted order.
    """
    rows = list(
        GuestProfile.objects.for_org(organization_id)
        .select_for_update()
        .filter(pk__in=[first_id, second_id])
        .order_by("pk")
    )
    found = {row.pk: row for row in rows}
    if first_id not in found or second_id not in found:
        raise MergeRefused(_("That guest profile no longer exists."))
    return found[first_id], found[second_id]


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def guest_merge(*, survivor, merged, field_choices, actor, request=None, hotel=None):
    """Merge `merged` into `survivor`: chosen fields copied, every related row moved, audited.

    `field_choices` maps a MERGE_FIELD_GROUPS name, or "preference:<type id>", to "survivor"
    or "merged" (missing means the survivor's value). Returns the MergeRecord.
    """
    if survivor.organization_id != merged.organization_id:
        raise MergeRefused(_("These profiles belong to different organizations."))
    if survivor.pk == merged.pk:
        raise MergeRefused(_("A profile cannot be merged with itself."))
    choices = _clean_choices(field_choices)
    organization_id = survivor.organization_id
    hotel = hotel if hotel is not None else getattr(request, "hotel", None)
    survivor, merged = _lock_pair(organization_id, survivor.pk, merged.pk)
    if survivor.merged_into_id or merged.merged_into_id:
        raise MergeRefused(_("One of these profiles has already been merged into another."))

    changes = _merged_values(survivor, merged, choices)
    snapshot = {
        attname: _dump(GuestProfile._meta.get_field(attname), getattr(survivor, attname)) for attname in changes
    }

    moved, swapped = {}, {}
    chosen_preference_types = {
        int(key[len(PREFERENCE_CHOICE_PREFIX) :])
        for key, choice in choices.items()
        if key.startswith(PREFERENCE_CHOICE_PREFIX) and choice == MERGED
    }
    for model, fk in guest_links():
        conflicts = _conflicting_ids(model, fk, organization_id, survivor.pk, merged.pk)
        rows = model.objects.for_org(organization_id).filter(**{fk.name: merged.pk})
        ids = sorted(rows.exclude(pk__in=conflicts).values_list("pk", flat=True))
        if ids:
            model.objects.for_org(organization_id).filter(pk__in=ids).update(**{fk.name: survivor.pk})
            moved[_link_key(model, fk)] = ids
        if model is GuestPreference and chosen_preference_types and conflicts:
            swapped[_link_key(model, fk)] = _swap_chosen_preferences(
                organization_id, survivor.pk, merged.pk, conflicts, chosen_preference_types
            )
    # Conflicting rows (a contact or preference the survivor already has, a permission already
    # held) stay on the merged profile: nothing is lost, and undo has nothing to untangle.

    for attname, value in changes.items():
        setattr(survivor, attname, value)
    if changes:
        survivor.save(update_fields=[*changes, "updated_at"])
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])

    record = MergeRecord.objects.create(
        organization_id=organization_id,
        survivor=survivor,
        merged=merged,
        field_choices=choices,
        snapshot=snapshot,
        moved={"rows": moved, "swapped": swapped},
        merged_by=actor,
    )
    details = {
        "merge_id": record.pk,
        "survivor_id": survivor.pk,
        "merged_id": merged.pk,
        "moved": {key: len(ids) for key, ids in moved.items()},
    }
    for guest in (survivor, merged):
        audit_record(
            action="guest.merge",
            organization=survivor.organization,
            hotel=hotel,
            actor=actor,
            obj=guest,
            fields=sorted(changes),
            request=request,
            extra=details,
        )
    # Loyalty (one membership per guest) and others fold the merged profile's rows in here.
    guest_merged.send(sender=GuestProfile, survivor=survivor, merged=merged, actor=actor)
    return record


def _swap_chosen_preferences(organization_id, survivor_id, merged_id, conflict_ids, type_ids):
    """Where the merged profile's preference was chosen, swap the two rows' values.

    Swapping values (not owners) keeps the unique (guest, preference type) rule satisfied at
    every statement, and keeps the survivor's old value on the merged profile for undo.
    """
    preferences = GuestPreference.objects.for_org(organization_id)
    theirs = {p.preference_type_id: p for p in preferences.filter(pk__in=conflict_ids, preference_type_id__in=type_ids)}
    ours = {
        p.preference_type_id: p for p in preferences.filter(guest_id=survivor_id, preference_type_id__in=list(theirs))
    }
    pairs = []
    for type_id, their_row in sorted(theirs.items()):
        our_row = ours[type_id]
        _swap_preference_values(organization_id, our_row, their_row)
        pairs.append([our_row.pk, their_row.pk])
    return pairs


_PREFERENCE_VALUE_FIELDS = ("value", "sensitive_value", "recorded_by_id", "recorded_at")


def _swap_preference_values(organization_id, first, second):
    preferences = GuestPreference.objects.for_org(organization_id)
    # update() rather than save(): recorded_at must travel with its value, not become "now".
    preferences.filter(pk=first.pk).update(**{f: getattr(second, f) for f in _PREFERENCE_VALUE_FIELDS})
    preferences.filter(pk=second.pk).update(**{f: getattr(first, f) for f in _PREFERENCE_VALUE_FIELDS})


@transaction.atomic
def guest_merge_undo(*, merge, actor, request=None, hotel=None):
    """Put both profiles back exactly as they were before `merge`. Refused when that is no longer possible."""
    organization_id = merge.organization_id
    hotel = hotel if hotel is not None else getattr(request, "hotel", None)
    first, second = sorted([merge.survivor_id, merge.merged_id])
    locked = dict(zip((first, second), _lock_pair(organization_id, first, second)))
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    # Locked after the profiles, in the same order every merge and undo takes: a second undo
    # of the same merge waits here and then sees undone_at.
    merge = MergeRecord.objects.for_org(organization_id).select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeRefused(_("This merge has already been undone."))
    if survivor.merged_into_id is not None:
        raise MergeRefused(_("The kept profile has since been merged into another profile: undo that merge first."))
    if merged.merged_into_id != survivor.pk:
        raise MergeRefused(_("The merged profile has changed since this merge, so it cannot be undone."))
    later = (
        MergeRecord.objects.for_org(organization_id)
        .filter(survivor_id=survivor.pk, undone_at__isnull=True, pk__gt=merge.pk)
        .exists()
    )
    if later:
        raise MergeRefused(_("Another profile was merged into this one afterwards: undo the later merge first."))

    rows = (merge.moved or {}).get("rows", {})
    swapped = (merge.moved or {}).get("swapped", {})
    try:
        with transaction.atomic():
            for pairs in swapped.values():
                preferences = {
                    p.pk: p
                    for p in GuestPreference.objects.for_org(organization_id).filter(
                        pk__in=[pk for pair in pairs for pk in pair]
                    )
                }
                for our_pk, their_pk in pairs:
                    if our_pk in preferences and their_pk in preferences:
                        _swap_preference_values(organization_id, preferences[our_pk], preferences[their_pk])
            for key, ids in rows.items():
                model, fk = _link_from_key(key)
                # Only rows still on the survivor go back; a row deleted since stays deleted.
                model.objects.for_org(organization_id).filter(pk__in=ids, **{fk.name: survivor.pk}).update(
                    **{fk.name: merged.pk}
                )
    except IntegrityError:
        raise MergeRefused(
            _("The merged profile has been given the same details since, so the rows cannot be moved back.")
        ) from None

    restored = {}
    for attname, stored in (merge.snapshot or {}).items():
        restored[attname] = _load(GuestProfile._meta.get_field(attname), stored)
        setattr(survivor, attname, restored[attname])
    if restored:
        survivor.save(update_fields=[*restored, "updated_at"])
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    details = {"merge_id": merge.pk, "survivor_id": survivor.pk, "merged_id": merged.pk}
    for guest in (survivor, merged):
        audit_record(
            action="guest.merge_undone",
            organization=survivor.organization,
            hotel=hotel,
            actor=actor,
            obj=guest,
            fields=sorted(restored),
            request=request,
            extra=details,
        )
    return merge


@transaction.atomic
def duplicate_dismiss(*, guest_a, guest_b, actor, request=None, hotel=None):
    """Record that two profiles are different guests, so the queue stops offering the pair."""
    if guest_a.organization_id != guest_b.organization_id:
        raise MergeRefused(_("These profiles belong to different organizations."))
    if guest_a.pk == guest_b.pk:
        raise MergeRefused(_("Choose two different profiles."))
    low, high = sorted([guest_a, guest_b], key=lambda g: g.pk)
    decision, created = DuplicateDecision.objects.for_org(low.organization_id).get_or_create(
        guest_a=low,
        guest_b=high,
        defaults={"organization_id": low.organization_id, "decided_by": actor},
    )
    if created:
        hotel = hotel if hotel is not None else getattr(request, "hotel", None)
        for guest in (low, high):
            audit_record(
                action="guest.duplicate_dismissed",
                organization=low.organization,
                hotel=hotel,
                actor=actor,
                obj=guest,
                request=request,
                extra={"guest_a_id": low.pk, "guest_b_id": high.pk},
            )
    return decision


@transaction.atomic
def merge_review_record(*, guests, actor, request=None, hotel=None):
    """The audit events of one look at two profiles' details side by side, before they are shown."""
    for guest in guests:
        audit_record(
            action="guest.view_sensitive",
            organization=guest.organization,
            hotel=hotel,
            actor=actor,
            obj=guest,
            fields=["birth_date", "address", "document_number"],
            reason=str(_("Duplicate review")),
            request=request,
            extra={"reason_code": "duplicate_review"},
        )


# --- Reads ------------------------------------------------------------------------------------

# Signal weights: one shared document number is near certain; a shared email or phone strong
# (families share a landline); the same birth date with a similar name is a medium hint.
WEIGHT_DOCUMENT, WEIGHT_EMAIL, WEIGHT_PHONE, WEIGHT_NAME_BIRTH = 60, 40, 35, 25
NAME_SIMILARITY = 0.6
CANDIDATE_LIMIT = 500

# The pairs are computed and stored by guests.duplicates (on every relevant change, and nightly);
# the queue reads them strongest first through duplicate_pair_queue_idx, leaving out pairs
# merged, anonymised or dismissed since.
_CANDIDATES_SQL = """
SELECT p.first_guest_id, p.second_guest_id, p.score, p.reasons
FROM guests_duplicatepair p
JOIN guests_guestprofile ga ON ga.id = p.first_guest_id AND ga.organization_id = %(org)s
JOIN guests_guestprofile gb ON gb.id = p.second_guest_id AND gb.organization_id = %(org)s
WHERE p.organization_id = %(org)s
  AND ga.merged_into_id IS NULL AND gb.merged_into_id IS NULL
  AND NOT ga.is_anonymised AND NOT gb.is_anonymised
  AND NOT EXISTS (
    SELECT 1 FROM guests_duplicatedecision d
    WHERE d.organization_id = %(org)s
      AND ((d.guest_a_id = p.first_guest_id AND d.guest_b_id = p.second_guest_id)
        OR (d.guest_a_id = p.second_guest_id AND d.guest_b_id = p.first_guest_id))
  )
ORDER BY p.score DESC, p.first_guest_id, p.second_guest_id
LIMIT %(limit)s
"""

REASON_LABELS = {
    "document": gettext_lazy("Same identity document"),
    "email": gettext_lazy("Same email"),
    "phone": gettext_lazy("Same phone number"),
    "name_birth": gettext_lazy("Similar name, same birth date"),
}


@dataclass
class DuplicateCandidate:
    a_id: int
    b_id: int
    score: int
    reasons: list
    a: object = None
    b: object = None
    is_masked: bool = False
    reason_labels: list = field(default_factory=list)


def duplicate_candidates(*, organization, limit=CANDIDATE_LIMIT):
    """Likely duplicate pairs of the organization, strongest first: one read of the stored pairs."""
    organization_id = getattr(organization, "pk", organization)
    if organization_id is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, {"org": organization_id, "limit": limit})
        return [
            DuplicateCandidate(
                a_id=a,
                b_id=b,
                score=int(score),
                reasons=list(reasons),
                reason_labels=[REASON_LABELS.get(r, r) for r in reasons],
            )
            for a, b, score, reasons in cursor.fetchall()
        ]


def duplicate_candidates_attach(*, organization, candidates):
    """Load the profiles of a page of candidates in one query."""
    ids = {c.a_id for c in candidates} | {c.b_id for c in candidates}
    profiles = GuestProfile.objects.for_org(organization).in_bulk(ids) if ids else {}
    attached = []
    for candidate in candidates:
        candidate.a, candidate.b = profiles.get(candidate.a_id), profiles.get(candidate.b_id)
        if candidate.a is not None and candidate.b is not None:
            attached.append(candidate)
    return attached


def duplicate_pair_get(*, organization, a_id, b_id):
    """Both profiles of a pair inside the organization, or None if either is missing (or foreign)."""
    profiles = GuestProfile.objects.for_org(organization).in_bulk([a_id, b_id])
    if a_id not in profiles or b_id not in profiles:
        return None
    return profiles[a_id], profiles[b_id]


def merge_pair_details(*, organization, guests):
    """Contacts, preferences and stay counts of the profiles being compared, in three queries."""
    from django.db.models import Count

    from guests.models import GuestContact, Stay

    ids = [g.pk for g in guests]
    details = {pk: {"contacts": [], "preferences": {}, "stays": 0} for pk in ids}
    for contact in GuestContact.objects.for_org(organization).filter(guest_id__in=ids).order_by("kind", "pk"):
        details[contact.guest_id]["contacts"].append(contact)
    for preference in (
        GuestPreference.objects.for_org(organization).filter(guest_id__in=ids).select_related("preference_type")
    ):
        details[preference.guest_id]["preferences"][preference.preference_type_id] = preference
    for row in Stay.objects.for_org(organization).filter(guest_id__in=ids).values("guest_id").annotate(n=Count("pk")):
        details[row["guest_id"]]["stays"] = row["n"]
    return details


def merge_get(*, organization, merge_id):
    return MergeRecord.objects.for_org(organization).filter(pk=merge_id).first()


def merge_list(*, organization, limit=20):
    return (
        MergeRecord.objects.for_org(organization)
        .select_related("survivor", "merged", "merged_by", "undone_by")
        .order_by("-merged_at", "-pk")[:limit]
    )


MAX_MERGE_CHAIN = 50


def guest_resolve(*, organization, guest_id):
    """The profile `guest_id` names now: followed along merged_into to the survivor; None if missing.

    Inside the organization only, so a foreign id resolves like a missing one.
    """
    profiles = GuestProfile.objects.for_org(organization)
    guest = profiles.filter(pk=guest_id).first()
    seen = set()
    # Bounded, and guarded against a cycle, so a corrupted chain cannot loop forever.
    while (
        guest is not None and guest.merged_into_id is not None and guest.pk not in seen and len(seen) < MAX_MERGE_CHAIN
    ):
        seen.add(guest.pk)
        nxt = profiles.filter(pk=guest.merged_into_id).first()
        if nxt is None:
            break
        guest = nxt
    return guest
