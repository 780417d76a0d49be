import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from hotelcrm.audit import audit_record
from hotelcrm.security_middleware import LAST_ACTIVITY_SESSION_KEY
from hotelcrm.twofactor import mark_login


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_record(action="auth.login", actor=user, request=request)
    # Every log-in, by any view or helper, must then pass two-factor where it applies.
    mark_login(request)
    if request is not None and hasattr(request, "session"):
        # The idle clock starts now, so the first page after log-in does not write the session again.
        request.session[LAST_ACTIVITY_SESSION_KEY] = int(time.time())


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The username tried is kept (not the password); no tenant is known for a failed login.
    audit_record(
        action="auth.login_failed", request=request, extra={"username": str(credentials.get("username", ""))[:150]}
    )
