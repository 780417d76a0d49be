"""Likely-duplicate pairs kept in a table (DuplicatePair), so the review queue reads, not computes.

Signals (weights in guests.merge): the same blind-indexed email, phone or document number, or
a similar name (trigram similarity) with the same full birth date. A pair is stored once, lower
id first, with its score and reasons.

- `duplicate_pairs_refresh(organization_id, guest_ids)`: the pairs of these guests, recomputed
  (two statements, index lookups only). Called when a guest is saved with a changed name, birth
  date, document, merge or anonymisation, when a contact is saved or deleted (signals below),
  and for each import chunk (bulk_create sends no signal).
- `duplicate_pairs_rebuild(organization_id)`: every pair of the organization, recomputed in one
  transaction; the nightly job (`rebuild-duplicate-pairs` in CELERY_BEAT_SCHEDULE) catches
  anything written around the services (SQL, bulk updates).
"""

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from guests.merge import NAME_SIMILARITY, WEIGHT_DOCUMENT, WEIGHT_EMAIL, WEIGHT_NAME_BIRTH, WEIGHT_PHONE
from guests.models import DuplicatePair, GuestContact, GuestProfile

# Fields of a guest whose change can make or break a pair.
PAIR_FIELDS = {
    "family_name",
    "given_name",
    "native_name",
    "birth_date_index",
    "document_blind_index",
    "merged_into",
    "is_anonymised",
}

# {pair} joins the two sides (">" for a full rebuild, each pair once; "<>" around given guests);
# {scope} limits the left side. Every join is an equality the indexes serve; similarity() runs
# only on pairs that already share a full birth date.
_PAIRS_SQL = """
WITH signals AS (
    SELECT LEAST(c1.guest_id, c2.guest_id) AS a, GREATEST(c1.guest_id, c2.guest_id) AS b, c1.kind AS reason,
           CASE WHEN c1.kind = 'email' THEN %(w_email)s ELSE %(w_phone)s END AS weight
    FROM guests_guestcontact c1
    JOIN guests_guestcontact c2
      ON c2.organization_id = c1.organization_id AND c2.kind = c1.kind
     AND c2.blind_index = c1.blind_index AND c2.guest_id {pair} c1.guest_id
    WHERE c1.organization_id = %(org)s AND {scope_contact}
  UNION
    SELECT LEAST(g1.id, g2.id), GREATEST(g1.id, g2.id), 'document', %(w_document)s
    FROM guests_guestprofile g1
    JOIN guests_guestprofile g2
      ON g2.organization_id = g1.organization_id AND g2.document_blind_index = g1.document_blind_index
     AND g2.id {pair} g1.id
    WHERE g1.organization_id = %(org)s AND g1.document_blind_index <> '' AND {scope_guest}
  UNION
    SELECT LEAST(g1.id, g2.id), GREATEST(g1.id, g2.id), 'name_birth', %(w_name_birth)s
    FROM guests_guestprofile g1
    JOIN guests_guestprofile g2
      ON g2.organization_id = g1.organization_id AND g2.birth_date_index = g1.birth_date_index
     AND g2.id {pair} g1.id
    WHERE g1.organization_id = %(org)s AND g1.birth_date_index <> '' AND {scope_guest}
      AND similarity(g1.search_name, g2.search_name) > %(similarity)s
)
INSERT INTO guests_duplicatepair (organization_id, first_guest_id, second_guest_id, score, reasons, computed_at)
SELECT %(org)s, s.a, s.b, SUM(s.weight), array_agg(s.reason ORDER BY s.reason), now()
FROM signals s
JOIN guests_guestprofile ga ON ga.id = s.a AND ga.organization_id = %(org)s
JOIN guests_guestprofile gb ON gb.id = s.b AND gb.organization_id = %(org)s
WHERE ga.merged_into_id IS NULL AND gb.merged_into_id IS NULL AND NOT ga.is_anonymised AND NOT gb.is_anonymised
GROUP BY s.a, s.b
ON CONFLICT (organization_id, first_guest_id, second_guest_id)
DO UPDATE SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, computed_at = EXCLUDED.computed_at
"""


def _parameters(organization_id, **extra):
    return {
        "org": organization_id,
        "similarity": NAME_SIMILARITY,
        "w_email": WEIGHT_EMAIL,
        "w_phone": WEIGHT_PHONE,
        "w_document": WEIGHT_DOCUMENT,
        "w_name_birth": WEIGHT_NAME_BIRTH,
        **extra,
    }


def duplicate_pairs_refresh(*, organization_id, guest_ids):
    """Recompute every pair involving `guest_ids` (in the caller's transaction, if any)."""
    ids = sorted({int(guest_id) for guest_id in guest_ids if guest_id is not None})
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM guests_duplicatepair WHERE organization_id = %(org)s "
            "AND (first_guest_id = ANY(%(ids)s) OR second_guest_id = ANY(%(ids)s))",
            {"org": organization_id, "ids": ids},
        )
        cursor.execute(
            _PAIRS_SQL.format(
                pair="<>", scope_contact="c1.guest_id = ANY(%(ids)s)", scope_guest="g1.id = ANY(%(ids)s)"
            ),
            _parameters(organization_id, ids=ids),
        )


def duplicate_pairs_rebuild(*, organization_id):
    """Every pair of the organization, recomputed in one transaction. Returns the number of pairs."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM guests_duplicatepair WHERE organization_id = %s", [organization_id])
        cursor.execute(
            _PAIRS_SQL.format(pair=">", scope_contact="TRUE", scope_guest="TRUE"), _parameters(organization_id)
        )
        return cursor.rowcount


def duplicate_pairs_rebuild_all():
    """The nightly job: each organization in its own transaction. {organization id: pairs}."""
    from hotelcrm.models import Organization

    return {
        organization_id: duplicate_pairs_rebuild(organization_id=organization_id)
        for organization_id in Organization.objects.order_by("pk").values_list("pk", flat=True)
    }


def duplicate_pairs_count(*, organization):
    return DuplicatePair.objects.for_org(organization).count()


# --- receivers (connected by importing this module in GuestsConfig.ready via guests.signals) ----


@receiver(post_save, sender=GuestProfile, dispatch_uid="guests.duplicate_pairs_guest_saved")
def _guest_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not (set(update_fields) & PAIR_FIELDS):
        return
    duplicate_pairs_refresh(organization_id=instance.organization_id, guest_ids=[instance.pk])


@receiver(post_save, sender=GuestContact, dispatch_uid="guests.duplicate_pairs_contact_saved")
@receiver(post_delete, sender=GuestContact, dispatch_uid="guests.duplicate_pairs_contact_deleted")
def _contact_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    duplicate_pairs_refresh(organization_id=instance.organization_id, guest_ids=[instance.guest_id])
