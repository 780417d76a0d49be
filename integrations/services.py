"""Integration keys: created by a manager (the key is shown once), revoked, and touched on use."""
import datetime
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotelcrm.audit import audit_record, client_ip
from integrations.exceptions import IntegrationError
from integrations.models import IdempotencyRecord, IntegrationKey, Scope

KEY_PREFIX = "hcrm"
# A key's last-use time and address are written at most this often, not on every call.
TOUCH_EVERY = datetime.timedelta(seconds=60)
IDEMPOTENCY_TTL = datetime.timedelta(hours=24)


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
def integration_key_create(*, hotel, actor, name, scopes, expires_at=None, rate_per_minute=600, request=None):
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
        organization_id=hotel.organization_id, hotel=hotel, name=name[:100], prefix=prefix, key_hash=key_hash(raw_key),
        scopes=sorted(set(scopes)), expires_at=expires_at, rate_per_minute=rate_per_minute, created_by=actor,
    )
    audit_record(action="integration_key.create", organization=hotel.organization, hotel=hotel, actor=actor, obj=key,
                 request=request, extra={"scopes": key.scopes, "prefix": prefix})
    return key, raw_key


@transaction.atomic
def integration_key_revoke(*, key, actor, request=None):
    # Conditional update: two managers revoking at once record one revocation.
    changed = IntegrationKey.objects.for_hotel(key.hotel).filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor,
    )
    if changed:
        audit_record(action="integration_key.revoke", organization=key.hotel.organization, hotel=key.hotel,
                     actor=actor, obj=key, request=request)
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

def _advisory_lock(*parts):
    """Serialise writers of one natural key (PMS profile or reservation) until the transaction ends."""
    import zlib

    from django.db import connection

    text = ":".join(str(p) for p in parts)
    lock_id = (zlib.crc32(text.encode()) << 31) ^ zlib.adler32(text.encode())
    lock_id = lock_id - (1 << 63) if lock_id >= (1 << 63) else lock_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


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
            raise IntegrationError(_("A new guest needs a family name."),
                                   extra={"fields": {"family_name": [_("This field is required.")]}})
        guest = guest_services.guest_create(organization=hotel.organization, actor=actor, hotel=hotel, request=request,
                                            pms_profile_id=pms_profile_id, **data)
        GuestLink.objects.create(organization_id=hotel.organization_id, hotel=hotel, pms_profile_id=pms_profile_id,
                                 guest=guest)
    else:
        GuestLink.objects.for_hotel(hotel).filter(pms_profile_id=pms_profile_id).exclude(guest=guest).update(guest=guest)
        guest_services.guest_update(guest=guest, actor=actor, data=data, request=request, hotel=hotel)
    if email:
        guest_services.guest_contact_add(guest=guest, kind="email", raw_value=email, actor=actor, hotel=hotel, request=request)
    if phone:
        guest_services.guest_contact_add(guest=guest, kind="phone", raw_value=phone, actor=actor, hotel=hotel, request=request)
    return guest, created


EVENT_STATUS = {
    "booked": "booked",
    "checked_in": "in_house",
    "checked_out": "checked_out",
    "cancelled": "cancelled",
    "no_show": "no_show",
    "modified": None,  # keeps the stay's status (booked for a reservation first seen through it)
}


def _is_newer(version, event_at, receipt):
    if receipt is None:
        return True
    if version != receipt.last_version:
        return version > receipt.last_version
    return receipt.last_event_at is None or event_at > receipt.last_event_at


@transaction.atomic(savepoint=False)  # the caller's transaction or savepoint is the unit
def stay_event_receive(*, hotel, event, actor=None, request=None):
    """Apply one reservation event unless a newer (or the same) one was applied already.

    `event` is validated data: reservation_id, event, version, event_at, arrival_on,
    departure_on, guest (a GuestProfile), details. Events are ordered by (version, event_at):
    late or repeated ones are answered "ignored" and change nothing, so a batch posted three
    times, or out of order, ends in the state of the newest event. Returns (result, stay).
    """
    from guests.stays import stay_upsert
    from integrations.models import StayEventReceipt

    reservation_id = event["reservation_id"]
    _advisory_lock("stay", hotel.organization_id, hotel.pk, reservation_id)
    receipt = StayEventReceipt.objects.for_hotel(hotel).filter(pms_reservation_id=reservation_id).first()
    version, event_at = event.get("version") or 0, event["event_at"]
    if not _is_newer(version, event_at, receipt):
        return "ignored", receipt.stay
    from guests.models import Stay, StayStatus

    status = EVENT_STATUS[event["event"]]
    if status is None:
        current = Stay.objects.for_hotel(hotel).filter(pms_reservation_id=reservation_id).values_list("status", flat=True).first()
        status = current or StayStatus.BOOKED
    stay, _created, _changed = stay_upsert(
        hotel=hotel, guest=event["guest"], pms_reservation_id=reservation_id, arrival_on=event["arrival_on"],
        departure_on=event["departure_on"], status=status, details=event.get("details") or {}, actor=actor,
        source="api", request=request,
    )
    if receipt is None:
        receipt = StayEventReceipt(organization_id=hotel.organization_id, hotel=hotel, pms_reservation_id=reservation_id)
    receipt.stay = stay
    receipt.last_version = version
    receipt.last_event_at = event_at
    receipt.last_event = event["event"]
    receipt.save()
    return "applied", stay
