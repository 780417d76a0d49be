"""Integration keys: created by a manager (the key is shown once), revoked, and touched on use."""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotelcrm.api.conf import IDEMPOTENCY_TTL
from hotelcrm.audit import audit_record, client_ip
from hotelcrm.exceptions import ApplicationError
from integrations.exceptions import IntegrationError
from integrations.models import IdempotencyRecord, IntegrationKey, Scope

KEY_PREFIX = "hcrm"
# A key's last-use time and address are written at most this often, not on every call.
TOUCH_EVERY = datetime.timedelta(seconds=60)


def key_hash(raw_key):
    return hashlib.sha256(raw_key.encode()).hexdigest()


def key_parse(raw_key):
    """(prefix, raw_key) of a well-formed key, or None."""
    parts = (raw_key or "").split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 12 or not (20 <= len(parts[2]) <= 100):
        return None
    if not parts[1].isalnum() or not parts[2].isascii() or not parts[2].isprintable():
        return None
    return parts[1]


@transaction.atomic
def integration_key_create(
    *, hotel, actor, name, scopes, expires_at=None, rate_per_minute=600, is_strict=False, request=None
):
    """Create a key for `hotel`; returns (key, raw key). The raw key is never stored, only its hash."""
    name = (name or "").strip()
    if not name:
        raise IntegrationError(_("Give the key a name, e.g. the PMS it is for."))
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise IntegrationError(_("Choose at least one scope from the list."))
    if expires_at is not None and expires_at <= timezone.now():
        raise IntegrationError(_("The expiry must be in the future."))
    prefix = secrets.token_hex(6)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = IntegrationKey.objects.create(
        organization_id=hotel.organization_id,
        hotel=hotel,
        name=name[:100],
        prefix=prefix,
        key_hash=key_hash(raw_key),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        rate_per_minute=rate_per_minute,
        is_strict=bool(is_strict),
        created_by=actor,
    )
    audit_record(
        action="integration_key.create",
        organization=hotel.organization,
        hotel=hotel,
        actor=actor,
        obj=key,
        request=request,
        extra={"scopes": key.scopes, "prefix": prefix, "is_strict": key.is_strict},
    )
    return key, raw_key


@transaction.atomic
def integration_key_set_strict(*, key, actor, is_strict, request=None):
    """Choose whether the key's calls have unknown input fields refused (True) or ignored and named back."""
    changed = (
        IntegrationKey.objects.for_hotel(key.hotel)
        .filter(pk=key.pk)
        .exclude(is_strict=is_strict)
        .update(is_strict=is_strict)
    )
    if changed:
        audit_record(
            action="integration_key.update",
            organization=key.hotel.organization,
            hotel=key.hotel,
            actor=actor,
            obj=key,
            fields=["is_strict"],
            request=request,
            extra={"is_strict": is_strict},
        )
    key.refresh_from_db()
    return key


@transaction.atomic
def integration_key_revoke(*, key, actor, request=None):
    # Conditional update: two managers revoking at once record one revocation.
    changed = (
        IntegrationKey.objects.for_hotel(key.hotel)
        .filter(pk=key.pk, revoked_at__isnull=True)
        .update(
            revoked_at=timezone.now(),
            revoked_by=actor,
        )
    )
    if changed:
        audit_record(
            action="integration_key.revoke",
            organization=key.hotel.organization,
            hotel=key.hotel,
            actor=actor,
            obj=key,
            request=request,
        )
    key.refresh_from_db()
    return key


def integration_key_touch(*, key, request):
    """Record when and from where a key was last used, at most once a minute per key (one UPDATE)."""
    now = timezone.now()
    ip = client_ip(request)
    if key.last_used_at and key.last_used_at > now - TOUCH_EVERY and key.last_used_ip == ip:
        return
    IntegrationKey.objects.for_org(key.organization_id).filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY) | ~Q(last_used_ip=ip)
    ).update(last_used_at=now, last_used_ip=ip)
    key.last_used_at, key.last_used_ip = now, ip


def idempotency_records_purge(*, now=None):
    """Delete records older than 24 hours; returns how many. Safe to run again at any time."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    # The purge serves every organization: one unscoped delete by age.
    return IdempotencyRecord.objects.all_tenants_unscoped().filter(created_at__lt=cutoff).delete()[0]


# --- PMS writes: guest upsert by profile id, reservation events --------------------------------


def _lock_id(*parts):
    import zlib

    text = ":".join(str(p) for p in parts)
    lock_id = (zlib.crc32(text.encode()) << 31) ^ zlib.adler32(text.encode())
    return lock_id - (1 << 63) if lock_id >= (1 << 63) else lock_id


def _advisory_lock(*parts):
    """Serialise writers of one natural key (PMS profile or reservation) until the transaction ends."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(*parts)])


def _advisory_locks(keys):
    """_advisory_lock for many keys in one round trip, taken in ascending lock-id order so that two
    batches sharing reservations wait for each other instead of deadlocking."""
    from django.db import connection

    lock_ids = sorted({_lock_id(*parts) for parts in keys})
    if not lock_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS ordered",
            [lock_ids],
        )


def guest_for_pms_profile(*, hotel, pms_profile_id):
    from integrations.models import GuestLink

    link = GuestLink.objects.for_hotel(hotel).select_related("guest").filter(pms_profile_id=pms_profile_id).first()
    return link.guest if link else None


@transaction.atomic
def guest_upsert_from_pms(*, hotel, pms_profile_id, data, email="", phone="", actor=None, request=None):
    """Create or update the guest the hotel's PMS knows as `pms_profile_id`; returns (guest, created).

    The PMS profile id is linked per hotel (GuestLink): two hotels' PMSs may number differently.
    A profile merged since is followed to the surviving one.
    """
    from guests import services as guest_services
    from guests.stays import guest_resolve_merged
    from integrations.models import GuestLink

    _advisory_lock("guest", hotel.organization_id, hotel.pk, pms_profile_id)
    guest = guest_for_pms_profile(hotel=hotel, pms_profile_id=pms_profile_id)
    guest = guest_resolve_merged(organization=hotel.organization_id, guest=guest)
    created = guest is None
    if created:
        if not (data.get("family_name") or "").strip():
            raise IntegrationError(
                _("A new guest needs a family name."), extra={"fields": {"family_name": [_("This field is required.")]}}
            )
        guest = guest_services.guest_create(
            organization=hotel.organization,
            actor=actor,
            hotel=hotel,
            request=request,
            pms_profile_id=pms_profile_id,
            **data,
        )
        GuestLink.objects.create(
            organization_id=hotel.organization_id, hotel=hotel, pms_profile_id=pms_profile_id, guest=guest
        )
    else:
        GuestLink.objects.for_hotel(hotel).filter(pms_profile_id=pms_profile_id).exclude(guest=guest).update(
            guest=guest
        )
        guest_services.guest_update(guest=guest, actor=actor, data=data, request=request, hotel=hotel)
    if email:
        guest_services.guest_contact_add(
            guest=guest, kind="email", raw_value=email, actor=actor, hotel=hotel, request=request
        )
    if phone:
        guest_services.guest_contact_add(
            guest=guest, kind="phone", raw_value=phone, actor=actor, hotel=hotel, request=request
        )
    return guest, created


EVENT_STATUS = {
    "booked": "booked",
    "checked_in": "in_house",
    "checked_out": "checked_out",
    "cancelled": "cancelled",
    "no_show": "no_show",
    "modified": None,  # keeps the stay's status (booked for a reservation first seen through it)
}


def _is_newer(version, event_at, last_version, last_event_at):
    if version != last_version:
        return version > last_version
    return last_event_at is None or event_at > last_event_at


def _event_plan(receipt, event):
    """What an event may change: "all" (newer than every event applied), "status" (older than a
    `modified` but newer than the last status-setting event: it sets the status only) or None
    (nothing newer than it is missing: ignored). `receipt` may be None for a first event."""
    version, event_at = event.get("version") or 0, event["event_at"]
    if receipt is None or _is_newer(version, event_at, receipt.last_version, receipt.last_event_at):
        return "all"
    if (
        EVENT_STATUS[event["event"]] is not None
        and receipt.stay_id is not None
        and (
            receipt.status_version is None
            or _is_newer(version, event_at, receipt.status_version, receipt.status_event_at)
        )
    ):
        return "status"
    return None


def _receipt_advance(receipt, event, plan):
    version, event_at = event.get("version") or 0, event["event_at"]
    if plan == "all":
        receipt.last_version, receipt.last_event_at, receipt.last_event = version, event_at, event["event"]
    if EVENT_STATUS[event["event"]] is not None:
        receipt.status_version, receipt.status_event_at = version, event_at


def _stay_details(stay):
    from guests.stays import STAY_DETAIL_FIELDS

    return {name: getattr(stay, name) for name in STAY_DETAIL_FIELDS}


@transaction.atomic(savepoint=False)  # the caller's transaction or savepoint is the unit
def stay_event_receive(*, hotel, event, actor=None, request=None):
    """Apply one reservation event unless a newer (or the same) one was applied already.

    `event` is validated data: reservation_id, event, version, event_at, arrival_on,
    departure_on, guest (a GuestProfile), details. Events are ordered by (version, event_at):
    late or repeated ones are answered "ignored" and change nothing, so a batch posted three
    times, or out of order, ends in the state of the newest event (the status: of the newest
    event that sets one, see _event_plan). Returns (result, stay).
    """
    from guests.models import Stay, StayStatus
    from guests.stays import stay_upsert
    from integrations.models import StayEventReceipt

    reservation_id = event["reservation_id"]
    _advisory_lock("stay", hotel.organization_id, hotel.pk, reservation_id)
    receipt = StayEventReceipt.objects.for_hotel(hotel).filter(pms_reservation_id=reservation_id).first()
    plan = _event_plan(receipt, event)
    if plan is None:
        return "ignored", receipt.stay
    status = EVENT_STATUS[event["event"]]
    if plan == "status":
        stay = Stay.objects.for_hotel(hotel).select_related("guest").get(pk=receipt.stay_id)
        values = {
            "guest": stay.guest,
            "arrival_on": stay.arrival_on,
            "departure_on": stay.departure_on,
            "details": _stay_details(stay),
        }
    else:
        values = {
            "guest": event["guest"],
            "arrival_on": event["arrival_on"],
            "departure_on": event["departure_on"],
            "details": event.get("details") or {},
        }
    if status is None:
        current = (
            Stay.objects.for_hotel(hotel)
            .filter(pms_reservation_id=reservation_id)
            .values_list("status", flat=True)
            .first()
        )
        status = current or StayStatus.BOOKED
    stay, _created, _changed = stay_upsert(
        hotel=hotel,
        pms_reservation_id=reservation_id,
        status=status,
        actor=actor,
        source="api",
        request=request,
        **values,
    )
    if receipt is None:
        receipt = StayEventReceipt(
            organization_id=hotel.organization_id, hotel=hotel, pms_reservation_id=reservation_id
        )
    receipt.stay = stay
    _receipt_advance(receipt, event, plan)
    receipt.save()
    return "applied", stay


@transaction.atomic(savepoint=False)
def stay_event_receive_one(*, hotel, event, actor=None, request=None):
    """One validated event without a guest resolved yet: stay_event_receive with the event's guest.

    The reservation is locked before the guest is resolved (and perhaps created, which takes the
    audit chain's lock): the order the batch path follows too. Returns (result, stay)."""
    _advisory_lock("stay", hotel.organization_id, hotel.pk, event["reservation_id"])
    event = {**event, "guest": stay_event_guest(hotel=hotel, data=event, actor=actor, request=request)}
    return stay_event_receive(hotel=hotel, event=event, actor=actor, request=request)


def _unknown_profile():
    from integrations.exceptions import StayEventRefused

    return StayEventRefused(
        _("This PMS profile id is not linked to a guest: upsert the guest first or send `guest`."),
        extra={"fields": {"pms_profile_id": [_("Unknown PMS profile id.")]}},
    )


def stay_event_guest(*, hotel, data, actor=None, request=None):
    """The guest of one validated event: by our id or the PMS profile id (created from `guest` when
    the profile is new), following merges. StayEventRefused when there is none."""
    from guests import selectors
    from guests.stays import guest_resolve_merged
    from integrations.exceptions import StayEventRefused

    organization = hotel.organization
    if data.get("guest_id"):
        guest = selectors.guest_get(organization=organization, guest_id=data["guest_id"])
        if guest is None:
            raise StayEventRefused(_("No such guest."), extra={"fields": {"guest_id": [_("No such guest.")]}})
    else:
        guest = guest_for_pms_profile(hotel=hotel, pms_profile_id=data["pms_profile_id"])
        if guest is None:
            inline = data.get("guest")
            if not inline:
                raise _unknown_profile()
            guest, _created = guest_upsert_from_pms(
                hotel=hotel, pms_profile_id=data["pms_profile_id"], data=dict(inline), actor=actor, request=request
            )
    return guest_resolve_merged(organization=organization, guest=guest)


class _Receipt:
    """A reservation's receipt while a batch is worked out in memory (read by _event_plan)."""

    __slots__ = (
        "last_version",
        "last_event_at",
        "last_event",
        "status_version",
        "status_event_at",
        "stay_id",
        "is_dirty",
    )

    def __init__(self, row):
        for name in self.__slots__[:-1]:
            setattr(self, name, getattr(row, name))
        self.is_dirty = False


@transaction.atomic(savepoint=False)  # the caller's transaction is the unit (one per batch)
def stay_events_receive_many(*, hotel, events, actor=None, request=None):
    """Apply a batch of validated reservation events with the rules of stay_event_receive, set-based.

    `events` is a list of validated event dicts (or None for an item that failed validation,
    which is skipped). The batch's reservations are locked at once; their receipts, stays and
    guests are read in a few queries; the events are applied in memory in the order sent (per
    reservation: newer (version, event_at) applied, others ignored); then stays, receipts and one
    audit event per change are written with bulk statements, and one stays_changed domain event
    (loyalty earns once on checkout) covers the changed stays.

    Returns one (result, stay, status, error) per event: result is applied / ignored / error,
    status the stay's status right after that event, error an ApplicationError for result=error.
    Stay ids are set once the rows are written.
    """
    from django.core.exceptions import ValidationError as DjangoValidationError

    from guests.models import GuestProfile, Stay, StayStatus
    from guests.stays import (
        guest_resolve_merged,
        stay_values_apply,
        stay_values_check,
        stays_for_reservations_locked,
        stays_save_many,
    )
    from hotelcrm.exceptions import ApplicationError
    from integrations.exceptions import StayEventRefused
    from integrations.models import GuestLink, StayEventReceipt

    organization = hotel.organization
    valid = [event for event in events if event is not None]
    reservation_ids = {event["reservation_id"] for event in valid}
    # The reservation locks come first, then guest creation and the audit chain: the order every
    # writer of stays follows (stay_event_receive too), so none waits on another in a circle.
    _advisory_locks([("stay", hotel.organization_id, hotel.pk, r) for r in reservation_ids])

    # Guests by our id and by the PMS profile id: two queries for the batch.
    guest_ids = {event["guest_id"] for event in valid if event.get("guest_id")}
    by_id = {g.pk: g for g in GuestProfile.objects.for_org(organization).filter(pk__in=guest_ids)} if guest_ids else {}
    profile_ids = {event["pms_profile_id"] for event in valid if not event.get("guest_id")}
    links = (
        {
            link.pms_profile_id: link.guest
            for link in GuestLink.objects.for_hotel(hotel)
            .select_related("guest")
            .filter(pms_profile_id__in=profile_ids)
        }
        if profile_ids
        else {}
    )
    merged = {}

    # The profiles this batch links for the first time, created set-based in one go.
    first_inline = {}
    for index, event in enumerate(events):
        if (
            event is not None
            and not event.get("guest_id")
            and event.get("guest")
            and event["pms_profile_id"] not in links
            and event["pms_profile_id"] not in first_inline
        ):
            first_inline[event["pms_profile_id"]] = index
    created_inline = {}
    if first_inline:
        outcomes = guests_upsert_from_pms_many(
            hotel=hotel,
            items=[
                {**dict(events[index]["guest"]), "pms_profile_id": profile_id}
                for profile_id, index in first_inline.items()
            ],
            actor=actor,
            request=request,
        )
        created_inline = {
            profile_id: (index, outcome) for (profile_id, index), outcome in zip(first_inline.items(), outcomes)
        }

    def guest_of(event, index):
        if event.get("guest_id"):
            guest = by_id.get(event["guest_id"])
            if guest is None:
                raise StayEventRefused(_("No such guest."), extra={"fields": {"guest_id": [_("No such guest.")]}})
        else:
            guest = links.get(event["pms_profile_id"])
            if guest is None:
                # A profile the PMS has not linked yet: created (above, with the batch's other new
                # profiles) from the inline guest of its first event that carries one; an earlier
                # event of it finds no guest, as it would have had it come alone.
                first = created_inline.get(event["pms_profile_id"])
                if first is None or index < first[0]:
                    raise _unknown_profile()
                _result, guest, error = first[1]
                if error is not None:
                    raise error
                links[event["pms_profile_id"]] = guest
        if guest.merged_into_id:
            if guest.pk not in merged:
                merged[guest.pk] = guest_resolve_merged(organization=organization, guest=guest)
            guest = merged[guest.pk]
        return guest

    receipts = {
        row.pms_reservation_id: _Receipt(row)
        for row in StayEventReceipt.objects.for_hotel(hotel).filter(pms_reservation_id__in=list(reservation_ids))
    }
    stays = stays_for_reservations_locked(hotel=hotel, reservation_ids=reservation_ids)
    status_before = {reservation: stay.status for reservation, stay in stays.items()}
    new_stays, touched, changed_fields, audits = {}, {}, set(), []
    outcomes = []
    for index, event in enumerate(events):
        if event is None:
            outcomes.append(None)
            continue
        reservation = event["reservation_id"]
        receipt = receipts.get(reservation)
        current = stays.get(reservation)
        try:
            # The guest first, as the single event does: an unknown profile is an error even for a late event.
            guest = guest_of(event, index)
            plan = _event_plan(receipt, event)
            if plan == "status" and current is None:
                plan = "all"
            if plan is None:
                stay = current if receipt.stay_id is not None else None
                outcomes.append(("ignored", stay, stay.status if stay else None, None))
                continue
            status = EVENT_STATUS[event["event"]] or (current.status if current else StayStatus.BOOKED)
            if plan == "status":
                values = stay_values_check(
                    hotel=hotel,
                    guest=current.guest,
                    arrival_on=current.arrival_on,
                    departure_on=current.departure_on,
                    status=status,
                    details=_stay_details(current),
                )
            else:
                values = stay_values_check(
                    hotel=hotel,
                    guest=guest,
                    arrival_on=event["arrival_on"],
                    departure_on=event["departure_on"],
                    status=status,
                    details=event.get("details"),
                )
        except (ApplicationError, DjangoValidationError) as exc:  # StayEventRefused, StayError, a guest's errors
            outcomes.append(("error", None, None, exc))
            continue
        if current is None:
            current = stays[reservation] = new_stays[reservation] = Stay(
                organization_id=hotel.organization_id, hotel=hotel, pms_reservation_id=reservation, **values
            )
            created, previous, changed = True, None, sorted(values)
        else:
            created, previous = False, current.status
            changed = stay_values_apply(current, values)
            if reservation not in new_stays:
                changed_fields.update(changed)
        if changed:
            touched[reservation] = current
            audits.append(
                {
                    "obj": current,
                    "created": created,
                    "fields": changed,
                    "status": current.status,
                    "previous_status": previous,
                    "object_repr": str(current),
                }
            )
        if receipt is None:
            receipt = receipts[reservation] = _Receipt(StayEventReceipt(last_version=0))
        receipt.stay_id = current.pk or 0  # 0: a stay this batch creates (its id comes with the INSERT)
        receipt.is_dirty = True
        _receipt_advance(receipt, event, plan)
        outcomes.append(("applied", current, current.status, None))

    stays_save_many(
        hotel=hotel,
        new_stays=list(new_stays.values()),
        changed_stays=[stay for reservation, stay in touched.items() if reservation not in new_stays],
        changed_fields=changed_fields,
        audits=audits,
        changes=[(stay, status_before.get(reservation)) for reservation, stay in touched.items()],
        actor=actor,
        source="api",
        request=request,
    )
    # One statement for the receipts, new and seen before (the reservation locks rule out a race).
    StayEventReceipt.objects.bulk_create(
        [
            StayEventReceipt(
                organization_id=hotel.organization_id,
                hotel=hotel,
                pms_reservation_id=reservation,
                stay=stays[reservation],
                last_version=receipt.last_version,
                last_event_at=receipt.last_event_at,
                last_event=receipt.last_event,
                status_version=receipt.status_version,
                status_event_at=receipt.status_event_at,
            )
            for reservation, receipt in receipts.items()
            if receipt.is_dirty
        ],
        update_conflicts=True,
        unique_fields=["organization", "hotel", "pms_reservation_id"],
        update_fields=[
            "stay",
            "last_version",
            "last_event_at",
            "last_event",
            "status_version",
            "status_event_at",
            "updated_at",
        ],
    )
    return outcomes


# --- PMS guest upserts, many at once -------------------------------------------------------------


def _guest_changes(guest, values, now):
    """Set `values` on `guest` in memory as guest_update does (consent times stamped); the changed names."""
    from guests.services import CONSENT_CHANNELS

    changed = [name for name, value in values.items() if getattr(guest, name) != value]
    for name in changed:
        setattr(guest, name, values[name])
    for channel in CONSENT_CHANNELS:
        if f"consent_{channel}" in changed:
            setattr(guest, f"consent_{channel}_at", now)
            changed.append(f"consent_{channel}_at")
    return changed


@transaction.atomic(savepoint=False)  # the caller's transaction is the unit (one per batch)
def guests_upsert_from_pms_many(*, hotel, items, actor=None, request=None):
    """guest_upsert_from_pms for a batch, set-based: returns one (result, guest, error) per item.

    `items` are validated upsert dicts (pms_profile_id, email, phone and profile fields) or None
    (an item that failed validation: its outcome is None). The profiles' locks are taken at once,
    their links read in one query, the items applied in memory in the order sent (a profile sent
    twice: the second updates what the first made), then guests, links, contacts and the audit
    events are written in a handful of statements. result is created / updated / unchanged /
    error (error: the ValidationError or ApplicationError; that item changes nothing). Sending
    the same batch again answers `unchanged` for every item and writes nothing.
    """
    from django.core.exceptions import ValidationError as DjangoValidationError

    from guests.duplicates import PAIR_FIELDS, duplicate_pairs_refresh
    from guests.models import ContactKind, GuestContact, GuestProfile, fold_for_search
    from guests.services import contact_blind_index
    from guests.stays import guest_resolve_merged
    from hotelcrm.audit import audit_record_many
    from integrations.models import GuestLink

    organization = hotel.organization
    valid = [item for item in items if item is not None]
    profile_ids = {item["pms_profile_id"] for item in valid}
    # The same lock the single upsert and the stay events take per profile, all in one round trip.
    _advisory_locks([("guest", hotel.organization_id, hotel.pk, p) for p in profile_ids])
    links = {
        link.pms_profile_id: link
        for link in GuestLink.objects.for_hotel(hotel)
        .select_related("guest")
        .filter(pms_profile_id__in=list(profile_ids))
    }
    guests, relink = {}, []
    for profile_id, link in links.items():
        guest = link.guest
        if guest.merged_into_id:
            guest = guest_resolve_merged(organization=organization, guest=guest)
            link.guest = guest
            relink.append(link)
        guests[profile_id] = guest
    existing_contacts = (
        set(
            GuestContact.objects.for_org(organization)
            .filter(guest__in=[g.pk for g in guests.values()])
            .values_list("guest_id", "kind", "blind_index")
        )
        if guests
        else set()
    )

    now = timezone.now()
    new_guests, changed_guests, changed_fields, new_contacts, audits, outcomes = {}, {}, set(), [], [], []
    for item in items:
        if item is None:
            outcomes.append(None)
            continue
        values = dict(item)
        profile_id = values.pop("pms_profile_id")
        contacts = []
        try:
            for kind, raw in (
                (ContactKind.EMAIL, values.pop("email", "")),
                (ContactKind.PHONE, values.pop("phone", "")),
            ):
                if raw:
                    try:
                        contacts.append((kind, *contact_blind_index(kind, raw)))
                    except DjangoValidationError as error:
                        raise DjangoValidationError({"email" if kind == ContactKind.EMAIL else "phone": error.messages})
            guest = guests.get(profile_id)
            if guest is None:
                if not (values.get("family_name") or "").strip():
                    raise IntegrationError(
                        _("A new guest needs a family name."),
                        extra={"fields": {"family_name": [_("This field is required.")]}},
                    )
                guest = GuestProfile(organization=organization, pms_profile_id=profile_id, **values)
                guest.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
                changed = ["*"]
            else:
                before = {name: getattr(guest, name) for name in values}
                changed = _guest_changes(guest, values, now)
                if changed:
                    try:
                        guest.full_clean(
                            exclude=["organization", "relationship_owner", "merged_into"],
                            validate_unique=False,
                            validate_constraints=False,
                        )
                    except DjangoValidationError:
                        for name, value in before.items():  # this item changes nothing
                            setattr(guest, name, value)
                        raise
        except (ApplicationError, DjangoValidationError) as error:
            outcomes.append(("error", None, error))
            continue
        created = profile_id not in guests
        if created:
            guests[profile_id] = new_guests[profile_id] = guest
            audits.append({"action": "guest.create", "obj": guest, "fields": None})
        elif changed:
            if profile_id not in new_guests:
                changed_guests[guest.pk] = guest
                changed_fields.update(changed)
            audits.append({"action": "guest.update", "obj": guest, "fields": changed})
        added = []
        for kind, normalised, index in contacts:
            key = (id(guest) if guest.pk is None else guest.pk, kind, index)
            if key in existing_contacts:
                continue
            existing_contacts.add(key)
            new_contacts.append(
                GuestContact(
                    organization_id=hotel.organization_id, guest=guest, kind=kind, value=normalised, blind_index=index
                )
            )
            audits.append({"action": "guest.contact_add", "obj": guest, "fields": [kind]})
            added.append(kind)
        outcomes.append(("created" if created else "updated" if changed or added else "unchanged", guest, None))

    # bulk_create and bulk_update skip save(): the search column and updated_at are kept here.
    for guest in [*new_guests.values(), *changed_guests.values()]:
        guest.search_name = fold_for_search(guest.family_name, guest.given_name, guest.native_name)
        guest.updated_at = now
    if new_guests:
        GuestProfile.objects.bulk_create(list(new_guests.values()))
        GuestLink.objects.bulk_create(
            [
                GuestLink(organization_id=hotel.organization_id, hotel=hotel, pms_profile_id=profile_id, guest=guest)
                for profile_id, guest in new_guests.items()
            ]
        )
    if changed_guests:
        GuestProfile.objects.bulk_update(
            list(changed_guests.values()), sorted(changed_fields | {"search_name", "updated_at"})
        )
    if relink:
        GuestLink.objects.bulk_update(relink, ["guest"])
    if new_contacts:
        for contact in new_contacts:
            contact.guest_id = contact.guest.pk
        GuestContact.objects.bulk_create(new_contacts)
    audit_record_many(
        [
            {
                "action": a["action"],
                "organization": organization,
                "hotel": hotel,
                "actor": actor,
                "obj": a["obj"],
                "fields": a["fields"],
            }
            for a in audits
        ],
        request=request,
    )
    # bulk writes send no post_save: the duplicate pairs of the guests whose names or contacts changed.
    refresh = {g.pk for g in new_guests.values()} | {c.guest_id for c in new_contacts}
    if changed_fields & set(PAIR_FIELDS):
        refresh |= set(changed_guests)
    duplicate_pairs_refresh(organization_id=hotel.organization_id, guest_ids=refresh)
    return outcomes
