"""Recording audit events: the one function every service calls inside its transaction."""
from hotelcrm.models import AuditEvent


def client_ip(request):
    if request is None:
        return None
    # REMOTE_ADDR is set by the server (or by the proxy middleware when BEHIND_PROXY is on).
    return request.META.get("REMOTE_ADDR") or None


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
        object_repr=str(obj)[:200] if obj is not None else "",
        fields=list(fields),
        reason=reason,
        ip_address=client_ip(request),
        extra=extra or {},
    )
