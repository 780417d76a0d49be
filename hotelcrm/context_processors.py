def tenancy(request):
    return {
        "active_hotel": getattr(request, "hotel", None),
        "active_organization": getattr(request, "organization", None),
        "active_role": getattr(request, "role", None),
        "staff_access": getattr(request, "access", None),
    }
