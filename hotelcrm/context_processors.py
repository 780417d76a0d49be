from hotelcrm.models import Role
from hotelcrm.permissions import has_role_at_least


def tenancy(request):
    has_role = getattr(request, "role", None) is not None
    return {
        "active_hotel": getattr(request, "hotel", None),
        "active_organization": getattr(request, "organization", None),
        "active_role": getattr(request, "role", None),
        "staff_access": getattr(request, "access", None),
        # What the navigation offers; the views check again.
        "is_guest_relations_or_above": has_role and has_role_at_least(request, Role.GUEST_RELATIONS),
        "is_manager_or_above": has_role and has_role_at_least(request, Role.MANAGER),
    }
