from hotelcrm import rls
from hotelcrm.request_context import request_scope
from hotelcrm.selectors import StaffAccess, staff_access_get

ACTIVE_HOTEL_SESSION_KEY = "active_hotel_id"


class TenantMiddleware:
    """Resolve, once per request, the staff member's hotels, the active hotel and its organization.

    Views read `request.organization` and `request.hotel` and never take a tenant from input.
    The rest of the request runs in that organization's row-level-security context (none for
    an anonymous visitor, every one for a superuser); a streamed body is read in it too. The
    request's scope (tenant, calling API key) is set and cleared here for every route.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.access = StaffAccess()
        request.hotel = None
        request.organization = None
        request.role = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            access = staff_access_get(user)
            hotel = access.hotel_by_id(request.session.get(ACTIVE_HOTEL_SESSION_KEY)) if access.hotels else None
            if hotel is None:
                hotel = access.home_hotel
            request.access = access
            request.hotel = hotel
            request.organization = hotel.organization if hotel else None
            request.role = access.role_at(hotel)
        # A superuser is the operator of the whole installation (the Django admin across groups).
        tenant = rls.SYSTEM if user is not None and user.is_superuser else request.organization
        # One scope per request: the tenant and the API key it sets end with it (request_context).
        with request_scope(tenant):
            response = self.get_response(request)
            if getattr(response, "streaming", False):
                response.streaming_content = rls.streaming_in_context(response.streaming_content, rls.current())
        return response
