"""`Authorization: Bearer <key>` (or `Api-Key <key>`) for the hotel's PMS."""

import hmac

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from hotelcrm import rls
from hotelcrm.selectors import StaffAccess
from integrations.audit_context import current_key
from integrations.models import IntegrationKey
from integrations.services import integration_key_touch, key_hash, key_parse

SCHEMES = ("bearer", "api-key")


class KeyPrincipal:
    """The caller of a key's request: authenticated, but no staff user (audit events carry the key's label)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, key):
        self.key = key

    def get_username(self):
        return self.key.label

    def __str__(self):
        return self.key.label

    def has_perm(self, *args, **kwargs):
        return False


class IntegrationKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _sep, raw_key = header.strip().partition(" ")
        if scheme.lower() not in SCHEMES:
            return None
        raw_key = raw_key.strip()
        prefix = key_parse(raw_key)
        invalid = exceptions.AuthenticationFailed(_("The API key is not valid, has expired or was revoked."))
        if prefix is None:
            raise invalid
        # The prefix is looked up before the tenant is known: authentication is the one place
        # that crosses tenants, and it yields the key's own hotel and nothing else.
        key = (
            IntegrationKey.objects.all_tenants_unscoped()
            .select_related("hotel__organization")
            .filter(prefix=prefix)
            .first()
        )
        if key is None or not hmac.compare_digest(key.key_hash, key_hash(raw_key)) or not key.is_usable(timezone.now()):
            raise invalid
        # From here on the request sees the key's organization only (row-level security).
        rls.activate(key.organization_id)
        integration_key_touch(key=key, request=request)
        django_request = request._request
        django_request.hotel = key.hotel
        django_request.organization = key.hotel.organization
        django_request.role = None
        django_request.access = StaffAccess(hotels=[key.hotel], roles={}, home_hotel=key.hotel)
        django_request.integration_key = key
        django_request._integration_key_token = current_key.set(key)
        return KeyPrincipal(key), key

    def authenticate_header(self, request):
        return self.keyword
