"""Reads of the audit trail for the managers' audit screen and its export."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q

from hotelcrm.models import AuditEvent, Membership, Role
from hotelcrm.permissions import has_role_at_least
from hotelcrm.subjects import subject_object_types

# Offered in the action filter; any other action can still be typed.
KNOWN_ACTIONS = (
    "guest.view_sensitive",
    "guest.access_requested",
    "guest.access_granted",
    "guest.access_denied",
    "guest.access_revoked",
    "guest.create",
    "guest.update",
    "guest.contact_add",
    "guest.preference_set",
    "guest.special_date_add",
    "guest.sensitive_consent",
    "audit.export",
    "auth.login",
    "auth.logout",
    "auth.login_failed",
)


def audit_event_scope(*, request):
    """A group admin reads the whole organization's trail; a manager their hotel's and the organization-wide events."""
    events = AuditEvent.objects.for_org(request.organization)
    if not has_role_at_least(request, Role.GROUP_ADMIN):
        events = events.filter(Q(hotel_id=getattr(request.hotel, "pk", None)) | Q(hotel__isnull=True))
    return events


def audit_event_list(*, request, guest_id=None, actor_id=None, action="", occurred_from=None, occurred_to=None):
    """Filtered events, newest first, with actor and hotel joined: one query per page.

    `occurred_from` / `occurred_to` are aware datetimes; the range is [from, to).
    """
    events = audit_event_scope(request=request)
    if guest_id is not None:
        events = events.filter(object_type__in=subject_object_types(), object_id=str(guest_id))
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action=action)
    if occurred_from is not None:
        events = events.filter(occurred_at__gte=occurred_from)
    if occurred_to is not None:
        events = events.filter(occurred_at__lt=occurred_to)
    return events.select_related("actor", "hotel").order_by("-occurred_at", "-id")


def audit_staff_choices(*, organization):
    """Staff members of the organization, for the actor filter: one query."""
    user_ids = Membership.objects.for_org(organization).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids).order_by("username")


def day_bounds(*, day, tz):
    """The start of `day` in the hotel's time zone, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
