"""Security headers and idle-session expiry.

Django's SecurityMiddleware already sends HSTS, nosniff, Referrer-Policy and COOP, and
XFrameOptionsMiddleware sends X-Frame-Options; this adds what Django 5.2 does not:
a Content-Security-Policy (no inline script anywhere: behaviour lives in static/js/app.js),
a Permissions-Policy, and a locked-down policy for file downloads.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from hotelcrm.audit import audit_record

# No inline script and no inline style: every template takes its looks from static/css and its
# behaviour from static/js (tests/core/test_templates_strict.py checks the template files).
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# A file we serve (an export, an uploaded photo) is data, never a page: no script, no plugin,
# no same-origin rights even if a browser is tricked into rendering it.
DOWNLOAD_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_download = (
            response.has_header("Content-Disposition")
            or getattr(response, "streaming", False)
            and not (response.get("Content-Type", "").startswith("text/html"))
        )
        if is_download:
            response["Content-Security-Policy"] = DOWNLOAD_CSP
            response["X-Content-Type-Options"] = "nosniff"
        else:
            response.setdefault("Content-Security-Policy", getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


LAST_ACTIVITY_SESSION_KEY = "last_activity_at"
# Writing the timestamp on every request would save the session row on every request; once a
# minute is precise enough for a timeout counted in minutes.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60


class SessionIdleTimeoutMiddleware:
    """Log a staff member out after SESSION_IDLE_TIMEOUT seconds without a request.

    SESSION_COOKIE_AGE still caps a session's whole life; this ends a session left open on
    an unattended front-desk screen. Goes after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
        user = getattr(request, "user", None)
        if timeout and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            if last is not None and now - int(last) > timeout:
                audit_record(
                    action="auth.session_expired", actor=user, request=request, extra={"idle_seconds": now - int(last)}
                )
                logout(request)
                messages.info(request, _("You were logged out after a period of inactivity. Please log in again."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # now anonymous: the API answers 403 itself
                return redirect_to_login(request.get_full_path())
            if last is None or now - int(last) >= ACTIVITY_WRITE_INTERVAL_SECONDS:
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)


class StrictFormEncodingMiddleware:
    """A urlencoded form body must be valid UTF-8 once percent-decoded: Django would replace bad
    bytes with U+FFFD and store the mangled text; it is refused with 400 instead, as the API
    refuses bad JSON. (Multipart bodies, the file uploads, are not checked here.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("POST", "PUT", "PATCH")
            and request.content_type == "application/x-www-form-urlencoded"
            and not _is_utf8_form(request)
        ):
            return _bad_encoding_response(request)
        return self.get_response(request)


def _is_utf8_form(request):
    from urllib.parse import parse_qsl

    from django.core.exceptions import RequestDataTooBig

    try:
        body = request.body
    except RequestDataTooBig:
        return True  # Django answers that itself, later
    try:
        parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def _bad_encoding_response(request):
    from django.http import HttpResponseBadRequest, JsonResponse

    detail = _("The form was not sent as valid UTF-8 text. Nothing was saved.")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"type": "parse_error", "title": _("Malformed request."), "detail": detail, "field_errors": {}}, status=400
        )
    return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
