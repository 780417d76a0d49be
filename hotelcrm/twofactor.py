"""TOTP two-factor authentication: enrolment, verification, recovery codes, enforcement.

Who must use it: staff holding a role listed in settings.TWO_FACTOR_REQUIRED_ROLES (managers
and group admins by default) at any hotel, and superusers. Anyone else may enrol; once
enrolled, they are asked for a code at every log-in too.

How it is enforced: every log-in through an HTTP request (a `user_logged_in` signal, whatever
view logged the user in: our log-in page, the admin's) marks the session "pending"; a log-in by
server-side code with no request behind it (force_login in tests and benchmarks) is marked
"server_side" and not held (see mark_login). While a session
is pending, TwoFactorMiddleware lets through only the two-factor pages, log-out, language
switching, static files and the health check: an enrolled user is sent to enter a code, a user
who must use two-factor but has not enrolled is sent to enrol. A user who needs neither is
marked "exempt" for the rest of that session (a role granted later applies from the next log-in).
"""

import hashlib
import secrets
import time

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from hotelcrm.audit import audit_record
from hotelcrm.models import RecoveryCode, TwoFactorDevice

SESSION_KEY = "two_factor"  # "pending" | "verified" | "exempt" | "server_side"
PENDING_SECRET_SESSION_KEY = "two_factor_setup_secret"
FAILURES_SESSION_KEY = "two_factor_failures"
MAX_FAILURES_PER_SESSION = 5
RECOVERY_CODE_COUNT = 10
ISSUER = "HotelCRM"
STEP_SECONDS = 30


def user_requires_two_factor(user, access=None):
    required = set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", ()))
    if not required:
        return False  # "none": nobody is required (superusers neither); enrolled users still verify
    if user.is_superuser:
        return True
    if access is not None:
        return any(str(role) in required for role in access.roles.values())
    return user.memberships.filter(role__in=required).exists()


def device_for(user):
    return TwoFactorDevice.objects.filter(user=user).first()


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(*, user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def qr_svg(uri):
    """The otpauth:// URI as an inline SVG (no image request, no external service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#111", light="#fff")


def _matching_step(secret, code, *, after_step=0):
    """The time step whose code matches (one step of clock drift either way), never one already used."""
    code = "".join(ch for ch in str(code) if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // STEP_SECONDS
    for step in (now_step, now_step - 1, now_step + 1):
        if step > after_step and secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash_code(code):
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_codes(user):
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_code(code)) for code in codes])
    return codes


def device_confirm(*, user, secret, code, request=None):
    """Enrol: the first code proves the authenticator holds the secret. Returns the recovery codes, or None."""
    step = _matching_step(secret, code)
    if step is None:
        audit_record(action="auth.2fa_enrol_failed", actor=user, request=request)
        return None
    with transaction.atomic():
        TwoFactorDevice.objects.update_or_create(
            user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_used_step": step}
        )
        codes = _new_recovery_codes(user)
        audit_record(action="auth.2fa_enrolled", actor=user, request=request)
    return codes


def code_verify(*, user, code, request=None):
    """Check a TOTP code or an unused recovery code. Returns "totp", "recovery" or None; audited."""
    device = device_for(user)
    if device is None:
        return None
    with transaction.atomic():
        # Lock the device row: two requests racing with the same code must not both pass.
        device = TwoFactorDevice.objects.select_for_update().get(pk=device.pk)
        step = _matching_step(device.secret, code, after_step=device.last_used_step)
        if step is not None:
            device.last_used_step = step
            device.save(update_fields=["last_used_step"])
            audit_record(action="auth.2fa_verified", actor=user, request=request)
            return "totp"
        # Conditional update: a recovery code is spent exactly once.
        spent = RecoveryCode.objects.filter(user=user, code_hash=_hash_code(str(code)), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if spent:
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            audit_record(action="auth.2fa_recovery_code_used", actor=user, request=request, extra={"codes_left": left})
            return "recovery"
    audit_record(action="auth.2fa_failed", actor=user, request=request)
    return None


def device_remove(*, user, request=None):
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit_record(action="auth.2fa_disabled", actor=user, request=request)


def recovery_codes_regenerate(*, user, request=None):
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_record(action="auth.2fa_recovery_codes_regenerated", actor=user, request=request)
    return codes


def mark_login(request):
    """Called at every log-in: the session must pass two-factor before reaching any page.

    Except a log-in made by server-side code with no HTTP request behind it (the test client's
    force_login, a benchmark, a script: their HttpRequest has no method). There is no visitor
    to ask for a code, and whoever runs code on the server is past any second factor already.
    Every log-in a browser or an API client can cause comes through a real request and is held.
    """
    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_KEY] = "pending" if getattr(request, "method", None) else "server_side"
    request.session.pop(FAILURES_SESSION_KEY, None)


def mark_verified(request):
    # A new session key once the second factor is in: a key seen before it is worth nothing.
    request.session.cycle_key()
    request.session[SESSION_KEY] = "verified"
    request.session.pop(FAILURES_SESSION_KEY, None)
    request.session.pop(PENDING_SECRET_SESSION_KEY, None)


def record_failure(request):
    """Count a wrong code; past the limit the session ends (the password must be entered again)."""
    failures = request.session.get(FAILURES_SESSION_KEY, 0) + 1
    request.session[FAILURES_SESSION_KEY] = failures
    if failures >= MAX_FAILURES_PER_SESSION:
        audit_record(action="auth.2fa_locked_out", actor=request.user, request=request)
        logout(request)
        return True
    return False


def _always_allowed(path):
    prefixes = ("/accounts/2fa/", "/i18n/", settings.STATIC_URL, "/healthz", "/favicon")
    return path.startswith(prefixes) or path == reverse("logout")


class TwoFactorMiddleware:
    """Holds a freshly logged-in session at the two-factor pages until it has passed. After TenantMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.get(SESSION_KEY, "pending") == "pending":
            # No mark at all (a session from before two-factor existed) counts as pending: fail closed.
            has_device = TwoFactorDevice.objects.filter(user=user).exists()
            if not has_device and not user_requires_two_factor(user, getattr(request, "access", None)):
                request.session[SESSION_KEY] = "exempt"
            elif not _always_allowed(request.path):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "type": "two_factor_required",
                            "title": _("Two-factor authentication required"),
                            "detail": _("Finish logging in with your authenticator code first."),
                            "field_errors": {},
                        },
                        status=403,
                    )
                target = reverse("two-factor-verify" if has_device else "two-factor-setup")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
