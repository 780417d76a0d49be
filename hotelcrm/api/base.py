"""What every PMS API view shares: who calls (a key or a staff session), scopes, throttling, idempotency.

The caller's hotel and organization are resolved once, at authentication (a key) or by the
tenant middleware (a staff session), and every view reads them from `api_caller(request)`;
no view takes a tenant from its input.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, parsers, permissions, serializers, throttling
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from hotelcrm.api.conf import IDEMPOTENCY_TTL
from hotelcrm.api.context import current_key
from hotelcrm.api.exceptions import IdempotencyInProgress, IdempotencyKeyReused
from hotelcrm.api.scopes import Scope
from hotelcrm.models import ROLE_RANK, Role


def api_key_of(request):
    """The API key that authenticated `request` (whatever model says `is_api_key`), or None for a session."""
    return request.auth if getattr(request.auth, "is_api_key", False) else None


def idempotency_records():
    """The model storing idempotent answers (settings.API_IDEMPOTENCY_MODEL, like AUTH_USER_MODEL):
    the core knows its fields, not the app that owns it."""
    from django.apps import apps
    from django.conf import settings

    return apps.get_model(settings.API_IDEMPOTENCY_MODEL)


# What a staff member may do through the API with their session, by role (the UI's rules).
ROLE_SCOPES = {
    Role.FRONT_DESK: {
        Scope.GUESTS_READ,
        Scope.GUESTS_WRITE,
        Scope.ARRIVALS_READ,
        Scope.COMPLAINTS_WRITE,
        Scope.LOYALTY_READ,
    },
    Role.GUEST_RELATIONS: {
        Scope.GUESTS_READ,
        Scope.GUESTS_WRITE,
        Scope.ARRIVALS_READ,
        Scope.COMPLAINTS_WRITE,
        Scope.LOYALTY_READ,
        Scope.LOYALTY_WRITE,
    },
    Role.MANAGER: set(Scope.values),
    Role.GROUP_ADMIN: set(Scope.values),
}


@dataclass
class ApiCaller:
    hotel: object
    organization: object
    key: object = None  # IntegrationKey for a PMS call
    user: object = None  # the staff member for a session call
    role: str | None = None
    scopes: frozenset = frozenset()

    @property
    def is_strict(self):
        """Unknown input fields are refused (the key's choice); a staff session has them ignored."""
        return bool(self.key is not None and self.key.is_strict)

    @property
    def actor(self):
        """The user to record as actor; None for a key (its label is recorded instead)."""
        return self.user


def api_caller(request):
    cached = getattr(request, "_api_caller", None)
    if cached is not None:
        return cached
    key = api_key_of(request)
    if key is not None:
        caller = ApiCaller(
            hotel=key.hotel, organization=key.hotel.organization, key=key, scopes=frozenset(str(s) for s in key.scopes)
        )
    else:
        role = getattr(request, "role", None)
        scopes = ROLE_SCOPES.get(Role(role), set()) if role in ROLE_RANK or role in Role.values else set()
        user = request.user if getattr(request.user, "is_authenticated", False) else None
        caller = ApiCaller(
            hotel=getattr(request, "hotel", None),
            organization=getattr(request, "organization", None),
            user=user,
            role=role,
            scopes=frozenset(str(getattr(s, "value", s)) for s in scopes),
        )
    request._api_caller = caller
    return caller


class HasScope(permissions.BasePermission):
    """The view's `required_scopes[method]` must be among the key's scopes (or the staff role's)."""

    message = _("This API key (or your role) does not allow this call.")

    def has_permission(self, request, view):
        needed = getattr(view, "required_scopes", {}).get(request.method)
        if needed is None:
            return True
        caller = api_caller(request)
        if caller.hotel is None:
            return False
        return str(getattr(needed, "value", needed)) in caller.scopes


class KeyRateThrottle(throttling.SimpleRateThrottle):
    """Requests per minute per key (its own rate) or per staff member, counted in Redis."""

    scope = "integration_key"

    def get_rate(self):
        from django.conf import settings

        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope, "600/min")

    def allow_request(self, request, view):
        key = api_key_of(request)
        if key is not None:
            self.num_requests, self.duration = key.rate_per_minute, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        key = api_key_of(request)
        if key is not None:
            ident = f"key-{key.pk}"
        elif getattr(request.user, "is_authenticated", False):
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ErrorSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="A stable code, e.g. validation_error, not_found, throttled.")
    title = serializers.CharField()
    detail = serializers.CharField()
    field_errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (for validation errors).",
    )


IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description="Any unique string (at most 255 characters). A retry with the same key and body gets the first "
    "answer again (for 24 hours, per hotel); the same key with another body is refused with 422.",
)


def error_responses(*codes):
    from drf_spectacular.utils import OpenApiResponse

    texts = {
        400: "Malformed input: the error shape with field_errors.",
        401: "The API key is missing, malformed, expired or revoked.",
        403: "Not signed in, or the key's scopes (the staff member's role) do not allow this call.",
        404: "No such object in the caller's organization (another organization's id answers the same).",
        409: "Another request with this Idempotency-Key is still being processed.",
        422: "The Idempotency-Key was already used with another body.",
        429: "Too many requests for this key; retry after the Retry-After header's seconds.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=texts[code]) for code in codes}


COMMON_ERRORS = (400, 401, 403, 429)


def unknown_fields(serializer, raw, prefix=""):
    """The dotted names of the fields in `raw` that `serializer` does not read (nested serializers too)."""
    if not isinstance(raw, dict):
        return []
    found = []
    for name, value in raw.items():
        field = serializer.fields.get(name) if isinstance(name, str) else None
        if field is None or field.read_only:
            found.append(f"{prefix}{name}")
        elif isinstance(field, serializers.Serializer):
            found.extend(unknown_fields(field, value, f"{prefix}{name}."))
    return sorted(found)


def fields_ignored(caller, serializer, raw):
    """The input fields the API will ignore, named so the PMS learns that they went nowhere; under a
    strict key a ValidationError with one field error per unknown field instead."""
    names = unknown_fields(serializer, raw)
    if names and caller.is_strict:
        raise exceptions.ValidationError(
            {name: [_("Unknown field: this key refuses fields the API does not know.")] for name in names}
        )
    return names


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its UTC offset (`Z` or `+08:00`): a PMS's local time
    without one would be read in the wrong zone, so it is refused rather than guessed."""

    default_error_messages = {
        "naive": gettext_lazy("Give the time with its UTC offset, e.g. 2026-03-01T14:05:00+08:00 or ...Z."),
    }

    def to_internal_value(self, value):
        import datetime

        from django.utils.dateparse import parse_datetime

        if isinstance(value, datetime.datetime):
            naive = timezone.is_naive(value)
        elif isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            naive = parsed is not None and timezone.is_naive(parsed)
        else:
            naive = False
        if naive:
            self.fail("naive")
        return super().to_internal_value(value)


class StrictJSONParser(parsers.JSONParser):
    """JSON whose text is all valid Unicode. A lone surrogate escape ("\\ud800") parses in Python
    but can be neither stored nor sent back, so it is refused here as malformed input (400)
    instead of failing later in the database or the renderer."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise exceptions.ParseError(_("The JSON holds text that is not valid Unicode (a lone surrogate escape)."))
        except RecursionError:
            # Arrays or objects nested thousands deep exhaust Python's stack while parsing: malformed input.
            raise exceptions.ParseError(_("The JSON is nested too deeply."))
        return data


class PmsApiView(APIView):
    """Base of the PMS API views: scope check, per-key throttling, the audit label of the key."""

    parser_classes = [StrictJSONParser, parsers.FormParser, parsers.MultiPartParser]
    permission_classes = [permissions.IsAuthenticated, HasScope]
    throttle_classes = [KeyRateThrottle]
    required_scopes = {}

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(request._request, "_integration_key_token", None)
        if token is not None:
            current_key.reset(token)
            request._request._integration_key_token = None
        return super().finalize_response(request, response, *args, **kwargs)

    @property
    def caller(self):
        return api_caller(self.request)


def _body_hash(request, data):
    canonical = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def idempotent(handler):
    """Decorate a POST handler: with an Idempotency-Key, the first successful answer is stored and replayed.

    The record is claimed in the handler's own transaction: a concurrent retry waits on the
    unique index until the first commits, then replays its answer. A failed call stores nothing
    (its transaction rolls back), so the retry runs again.
    """

    def wrapper(self, request, *args, **kwargs):
        raw = request.headers.get("Idempotency-Key")
        if raw is None:
            return handler(self, request, *args, **kwargs)
        key = raw.strip()
        if not key or len(key) > 255 or not key.isprintable():
            raise exceptions.ValidationError({"Idempotency-Key": [_("Send 1 to 255 printable characters.")]})
        caller = api_caller(request)
        data = request.data  # a malformed body raises ParseError here, before anything is claimed
        digest = _body_hash(request, data)
        IdempotencyRecord = idempotency_records()
        records = IdempotencyRecord.objects.for_hotel(caller.hotel)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        organization_id=caller.hotel.organization_id, hotel=caller.hotel, key=key, request_hash=digest
                    )
                created = True
            except IntegrityError:
                record = records.select_for_update().get(key=key)
                created = False
            if not created and record.created_at < timezone.now() - IDEMPOTENCY_TTL:
                record.request_hash, record.status_code, record.response_body = digest, None, None
                record.created_at = timezone.now()
                record.save()
                created = True
            if not created:
                if record.request_hash != digest:
                    raise IdempotencyKeyReused(_("This Idempotency-Key was already used with a different request."))
                if record.status_code is None:
                    raise IdempotencyInProgress(_("The first request with this key is still being processed."))
                response = Response(record.response_body, status=record.status_code)
                response["Idempotent-Replayed"] = "true"
                return response
            response = handler(self, request, *args, **kwargs)
            if response.status_code < 300:
                record.status_code = response.status_code
                record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                record.save(update_fields=["status_code", "response_body"])
            else:
                transaction.set_rollback(True)
            return response

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    wrapper.__wrapped__ = handler
    return wrapper
