"""Recording audit events: the one function every service calls inside its transaction."""

from hotelcrm.models import AuditEvent


def client_ip(request):
    if request is None:
        return None
    # REMOTE_ADDR is set by the server (or by the proxy middleware when BEHIND_PROXY is on).
    return request.META.get("REMOTE_ADDR") or None


def object_label(obj):
    """What an event names its object by. A person's name is personal data the hash chain would
    keep forever (an erasure cannot rewrite a chained row), so an object that names a person
    gives a reference instead (`audit_label()`, e.g. "guest #42"); the audit screen shows that."""
    if obj is None:
        return ""
    label = obj.audit_label() if hasattr(obj, "audit_label") else str(obj)
    return label[:200]


def audit_record(
    *,
    action,
    organization=None,
    hotel=None,
    actor=None,
    actor_label="",
    obj=None,
    fields=(),
    reason="",
    request=None,
    extra=None,
):
    """Append one audit event. Call it inside the service's transaction so both commit together."""
    if hotel is not None and organization is None:
        organization = hotel.organization
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        organization=organization,
        hotel=hotel,
        actor=actor,
        actor_label=actor_label[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=object_label(obj),
        fields=list(fields),
        reason=reason,
        ip_address=client_ip(request),
        extra=extra or {},
    )


def audit_record_many(records, *, request=None):
    """Append many audit events (dicts of audit_record's arguments) in one INSERT; returns them.

    The same events as calling audit_record for each, in order: pre_save receivers run per event
    (integrations labels API-key calls), and the chain is extended under one lock with the hashes
    computed here, since bulk_create bypasses AuditEvent._do_insert. Call it inside the service's
    transaction; the chain lock is then held until that transaction ends.
    """
    from django.db import transaction
    from django.db.models.signals import pre_save
    from django.utils import timezone

    from hotelcrm import audit_chain

    if not records:
        return []
    ip = client_ip(request)
    by_organization = {}
    events = []
    for record in records:
        hotel = record.get("hotel")
        organization = record.get("organization") or (hotel.organization if hotel is not None else None)
        actor = record.get("actor")
        if actor is not None and not getattr(actor, "is_authenticated", False):
            actor = None
        obj = record.get("obj")
        event = AuditEvent(
            organization=organization,
            hotel=hotel,
            actor=actor,
            actor_label=(record.get("actor_label") or "")[:200],
            action=record["action"],
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=(record.get("object_repr") or object_label(obj))[:200],
            fields=list(record.get("fields") or ()),
            reason=record.get("reason", ""),
            ip_address=ip,
            extra=record.get("extra") or {},
        )
        pre_save.send(sender=AuditEvent, instance=event, raw=False, using="default", update_fields=None)
        events.append(event)
        by_organization.setdefault(event.organization_id, []).append(event)
    with transaction.atomic():
        # Locks in organization order, so two writers of several chains cannot deadlock.
        for organization_id in sorted(by_organization, key=lambda pk: (pk is not None, pk or 0)):
            audit_chain.chain_lock(organization_id)
        now = timezone.now()
        for organization_id, chain in by_organization.items():
            previous = audit_chain.chain_head(organization_id)
            for event in chain:
                event.occurred_at = now
                event.prev_hash = previous
                event.hash = previous = audit_chain.chain_hash(previous, audit_chain.event_content(event))
        # One INSERT keeps the events' ids in list order, which is the chain's order.
        AuditEvent.objects.bulk_create(events)
    return events
