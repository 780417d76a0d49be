from django.utils.translation import gettext_lazy as _

from hotelcrm.exceptions import ApplicationError


class GuestError(ApplicationError):
    code = "guest_error"


class ProfileRestricted(GuestError):
    code = "profile_restricted"

    def __init__(self, message=None, **kwargs):
        super().__init__(message or str(_("This profile is confidential: request access from a manager.")), **kwargs)


class SensitiveConsentMissing(GuestError):
    code = "sensitive_consent_missing"

    def __init__(self, message=None, **kwargs):
        super().__init__(
            message
            or str(_("Record the guest's separate consent to sensitive data (PIPL art. 29) before entering it.")),
            **kwargs,
        )
