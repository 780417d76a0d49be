"""The audit trail as a hash chain, one chain per organization.

Each event stores `prev_hash` (the hash of the organization's previous event, "" for the first)
and `hash` = SHA-256 over `prev_hash` and the event's canonical content. Changing, deleting or
reordering a stored event breaks the chain at that point; `manage.py verify_audit` finds it.
Events with no organization (such as a failed login for an unknown user) form one more chain.

Appends to a chain are serialized by a transaction-level advisory lock on the organization,
taken in the same transaction as the INSERT, so two concurrent writers cannot both link to the
same predecessor. The lock is held until that transaction commits: a long transaction that
records an audit event holds up other audit writes of the same organization, not of others.
"""

import datetime
import hashlib
import ipaddress
import json
from dataclasses import dataclass

from django.db import connection

# First key of pg_advisory_xact_lock(int, int): "AUDT", so the locks are recognisable in pg_locks.
AUDIT_LOCK_CLASS = 0x41554454
GENESIS_HASH = ""


def _plain_json(value):
    # What jsonb gives back: the same value after a JSON round trip (keys become strings, tuples lists).
    return json.loads(json.dumps(value, default=str))


def _timestamp(value):
    if value is None:
        return None
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ip(value):
    return str(ipaddress.ip_address(value)) if value else None


def canonical_content(
    *,
    occurred_at,
    organization_id,
    hotel_id,
    actor_id,
    actor_label,
    action,
    object_type,
    object_id,
    object_repr,
    fields,
    reason,
    ip_address,
    extra,
):
    """The bytes an event's hash covers. The order and the form of each value must never change."""
    content = {
        "occurred_at": _timestamp(occurred_at),
        "organization_id": organization_id,
        "hotel_id": hotel_id,
        "actor_id": actor_id,
        "actor_label": actor_label or "",
        "action": action,
        "object_type": object_type or "",
        "object_id": object_id or "",
        "object_repr": object_repr or "",
        "fields": _plain_json(fields or []),
        "reason": reason or "",
        "ip_address": _ip(ip_address),
        "extra": _plain_json(extra or {}),
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_content(event):
    return canonical_content(
        occurred_at=event.occurred_at,
        organization_id=event.organization_id,
        hotel_id=event.hotel_id,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        fields=event.fields,
        reason=event.reason,
        ip_address=event.ip_address,
        extra=event.extra,
    )


def chain_hash(prev_hash, content):
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def chain_lock(organization_id):
    """Serialize appends to one organization's chain until the current transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [AUDIT_LOCK_CLASS, (organization_id or 0) & 0x7FFFFFFF])


def chain_head(organization_id):
    """The hash of the organization's last committed event ("" when it has none). Call under chain_lock."""
    with connection.cursor() as cursor:
        if organization_id is None:
            cursor.execute("SELECT hash FROM core_auditevent WHERE organization_id IS NULL ORDER BY id DESC LIMIT 1")
        else:
            cursor.execute(
                "SELECT hash FROM core_auditevent WHERE organization_id = %s ORDER BY id DESC LIMIT 1",
                [organization_id],
            )
        row = cursor.fetchone()
    return row[0] if row else GENESIS_HASH


@dataclass
class BrokenLink:
    organization_id: object
    event_id: int
    reason: str
    checked: int


def chain_verify(organization_id, *, batch_size=2000):
    """Walk one chain in append order. Returns (events checked, first BrokenLink or None)."""
    from hotelcrm.models import AuditEvent

    events = AuditEvent.objects.all_tenants_unscoped()
    events = (
        events.filter(organization__isnull=True)
        if organization_id is None
        else events.filter(organization_id=organization_id)
    )
    previous = GENESIS_HASH
    checked = 0
    for event in events.order_by("id").iterator(chunk_size=batch_size):
        checked += 1
        if event.prev_hash != previous:
            return checked, BrokenLink(
                organization_id, event.pk, "prev_hash does not match the previous event's hash", checked
            )
        if event.hash != chain_hash(event.prev_hash, event_content(event)):
            return checked, BrokenLink(
                organization_id, event.pk, "content does not match its hash (the event was changed)", checked
            )
        previous = event.hash
    return checked, None
