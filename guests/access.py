"""Who may open which guest profile.

A profile is restricted when the guest asked for confidential service. Managers and group
admins open restricted profiles by their role (they decide access requests); anyone else needs
the guardian object permission `guests.open_confidential_guestprofile` on that profile, granted
for a limited time when a manager approves an access request.
"""
from guests.models import GuestProfileUserObjectPermission
from hotelcrm.models import Role
from hotelcrm.permissions import has_role_at_least

OPEN_CONFIDENTIAL = "open_confidential_guestprofile"


def openable_profile_ids(*, request, guests):
    """Ids of `guests` the requesting staff member may open: one query, whatever the number of rows."""
    guests = list(guests)
    restricted = [guest.pk for guest in guests if guest.is_restricted]
    open_ids = {guest.pk for guest in guests if not guest.is_restricted}
    if not restricted:
        return open_ids
    if has_role_at_least(request, Role.MANAGER):
        return open_ids | set(restricted)
    granted = GuestProfileUserObjectPermission.objects.for_org(request.organization).filter(
        user=request.user, permission__codename=OPEN_CONFIDENTIAL, content_object_id__in=restricted,
    ).values_list("content_object_id", flat=True)
    return open_ids | set(granted)


def can_open_profile(*, request, guest):
    return guest.pk in openable_profile_ids(request=request, guests=[guest])
