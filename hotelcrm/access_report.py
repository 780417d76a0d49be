"""Who looked at or exported guests' personal data, from the audit trail (PIPL art. 57, GDPR art. 33).

Counted as access: any event whose action ends in `.view_sensitive` (a guest's protected
details opened) or in `export` (a guest list or a guest's data-rights export, the audit trail,
a report: every export names personal data). An event on one guest names that guest; a bulk
export carries the query and the row count it produced, so an incident team can re-run it.
"""

from dataclasses import dataclass

from django.db.models import Q

from hotelcrm.models import AuditEvent
from hotelcrm.subjects import subject_object_types


def access_events(*, occurred_from, occurred_to, organization_id=None):
    """Access events in [from, to), oldest first; every organization unless one is given."""
    events = (
        AuditEvent.objects.all_tenants_unscoped()
        if organization_id is None
        else AuditEvent.objects.for_org(organization_id)
    )
    return (
        events.filter(occurred_at__gte=occurred_from, occurred_at__lt=occurred_to)
        .filter(Q(action__endswith=".view_sensitive") | Q(action__endswith="export"))
        .select_related("actor", "organization", "hotel")
        .order_by("occurred_at", "id")
    )


@dataclass
class AccessRow:
    occurred_at: str
    organization: str
    hotel: str
    actor: str
    action: str
    guest_id: str
    guest: str
    fields: str
    scope: str
    reason: str
    ip_address: str
    audit_event_id: int

    COLUMNS = (
        "occurred_at",
        "organization",
        "hotel",
        "actor",
        "action",
        "guest_id",
        "guest",
        "fields",
        "scope",
        "reason",
        "ip_address",
        "audit_event_id",
    )


def access_rows(events):
    subject_types = subject_object_types()
    for event in events.iterator(chunk_size=1000):
        is_guest = event.object_type in subject_types
        if is_guest:
            scope = "guest"
        else:
            extra = event.extra or {}
            details = [f"{key}={extra[key]!r}" for key in ("query", "filters", "format", "rows") if key in extra]
            scope = "bulk" + (f" ({', '.join(details)})" if details else "")
        yield AccessRow(
            occurred_at=event.occurred_at.isoformat(timespec="seconds"),
            organization=event.organization.slug if event.organization else "",
            hotel=event.hotel.code if event.hotel else "",
            actor=event.actor.get_username() if event.actor else event.actor_label,
            action=event.action,
            guest_id=event.object_id if is_guest else "",
            guest=event.object_repr if is_guest else "",
            fields=" ".join(event.fields or []),
            scope=scope,
            reason=event.reason,
            ip_address=event.ip_address or "",
            audit_event_id=event.pk,
        )
