import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hotelcrm.health import health_report
from hotelcrm.middleware import ACTIVE_HOTEL_SESSION_KEY


@login_required
@require_POST
def switch_hotel(request):
    # Only hotels the user may work in can be chosen; any other id answers 404 like a missing one.
    hotel = request.access.hotel_by_id(request.POST.get("hotel_id", ""))
    if hotel is None:
        raise Http404
    request.session[ACTIVE_HOTEL_SESSION_KEY] = hotel.pk
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    return redirect(next_url)


def _may_see_health_details(request):
    """Signed-in staff, or a monitor sending settings.HEALTHZ_TOKEN in the X-Health-Token header."""
    if getattr(request.user, "is_authenticated", False):
        return True
    token = settings.HEALTHZ_TOKEN
    sent = request.headers.get("X-Health-Token", "")
    return bool(token) and hmac.compare_digest(sent.encode(), token.encode())


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    status = 503 if report["status"] == "down" else 200
    if not _may_see_health_details(request):
        # Anonymous callers (load balancers, the internet) learn only the overall state: which
        # part is down (workers, beat, Redis) is for staff and monitors.
        report = {"status": report["status"]}
    return JsonResponse(report, status=status)


def not_found(request, exception=None):
    """handler404: an API path answers the API's JSON error shape (also for ids no route matches,
    e.g. /api/v1/guests/abc/); every other path the site's 404 page."""
    if request.path.startswith("/api/"):
        from django.utils.translation import gettext as _

        return JsonResponse(
            {
                "type": "not_found",
                "title": _("Not found."),
                "detail": _("There is nothing at this address."),
                "field_errors": {},
            },
            status=404,
        )
    return defaults.page_not_found(request, exception)
