"""Stay events and the arrivals briefing for the hotel's PMS."""

import logging
from contextlib import nullcontext

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from guests.selectors_briefing import briefing_get
from hotelcrm.api.base import (
    COMMON_ERRORS,
    IDEMPOTENCY_HEADER,
    PmsApiView,
    error_responses,
    fields_ignored,
    idempotent,
)
from hotelcrm.api.errors import exception_handler
from hotelcrm.exceptions import ApplicationError
from integrations.api.guests import openable_ids
from integrations.api.serializers import (
    ArrivalsQuerySerializer,
    ArrivalsSerializer,
    StayEventBatchInputSerializer,
    StayEventBatchResultSerializer,
    StayEventInputSerializer,
    StayEventResultSerializer,
)
from integrations.models import Scope
from integrations.services import stay_event_receive_one, stay_events_receive_many

logger = logging.getLogger("hotelcrm.api")
DEADLOCK_RETRIES = 2
RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure


def _apply_event(caller, request, raw, *, own_transaction=True):
    serializer = StayEventInputSerializer(data=raw)
    ignored = fields_ignored(caller, serializer, raw)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            with transaction.atomic() if own_transaction else nullcontext():
                result, stay = stay_event_receive_one(
                    hotel=caller.hotel, event=data, actor=caller.actor, request=request
                )
            break
        except OperationalError as exc:
            # PostgreSQL aborts one of two deadlocked transactions and asks for a retry; the event is
            # idempotent, so its own transaction is simply run again (not inside a caller's).
            if (
                not own_transaction
                or attempt == DEADLOCK_RETRIES
                or getattr(exc.__cause__, "pgcode", None) not in RETRYABLE
            ):
                raise
    return {
        "reservation_id": data["reservation_id"],
        "result": result,
        "stay_id": stay.pk if stay else None,
        "status": stay.status if stay else None,
        "ignored_fields": ignored,
    }


def error_body(exc):
    """The API's error shape for one failed batch item (the same handler as a whole request's)."""
    if isinstance(exc, (ApplicationError, exceptions.APIException, DjangoValidationError)):
        response = exception_handler(exc, {})
        if response is not None:
            return response.data
    logger.error("Unexpected error in a stay event", exc_info=exc)
    return {
        "type": "server_error",
        "title": _("Something went wrong on our side."),
        "detail": _("This event was not applied; the error was logged."),
        "field_errors": {},
    }


class StayEventApi(PmsApiView):
    required_scopes = {"POST": Scope.STAYS_WRITE}

    @extend_schema(
        operation_id="stays_event",
        tags=["stays"],
        summary="Send one reservation event",
        description="booked, modified, checked_in, checked_out, cancelled or no_show, keyed by the PMS reservation "
        "id. Events are ordered by (version, event_at): an event older than or equal to the last one "
        "applied is answered `ignored` and changes nothing, so retries and late deliveries are safe. "
        "Every event carries the reservation's dates and guest, so a late `booked` never undoes a "
        "checkout.",
        request=StayEventInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: StayEventResultSerializer, **error_responses(*COMMON_ERRORS, 409, 422)},
    )
    @idempotent
    def post(self, request):
        return Response(_apply_event(self.caller, request, request.data))


BATCH_CHUNK = 100


def _validate_batch(caller, raws):
    """(validated event or None, validation error or None, ignored fields) per raw item, with one
    bound serializer (binding a serializer per item costs ten times its validation)."""
    serializer = StayEventInputSerializer()
    checked = []
    for raw in raws:
        ignored = []
        try:
            ignored = fields_ignored(caller, serializer, raw)
            checked.append((dict(serializer.run_validation(raw)), None, ignored))
        except exceptions.ValidationError as exc:
            checked.append((None, exc, ignored))
    return checked


class StayEventBatchApi(PmsApiView):
    required_scopes = {"POST": Scope.STAYS_WRITE}

    def _apply_one(self, request, raw):
        try:
            with transaction.atomic():
                return _apply_event(self.caller, request, raw, own_transaction=False)
        except Exception as exc:  # noqa: BLE001 - one bad event must not fail the batch
            return _error_result(raw, exc)

    def _apply_one_by_one(self, request, events):
        """The slow path, each event in its own savepoint, for a batch whose bulk write failed."""
        results = []
        for start in range(0, len(events), BATCH_CHUNK):
            with transaction.atomic():
                for index in range(start, min(start + BATCH_CHUNK, len(events))):
                    results.append({"index": index, **self._apply_one(request, events[index])})
        return results

    def _apply_set_based(self, request, events):
        checked = _validate_batch(self.caller, events)
        outcomes = stay_events_receive_many(
            hotel=self.caller.hotel,
            events=[data for data, _error, _ignored in checked],
            actor=self.caller.actor,
            request=request,
        )
        results = []
        for index, ((data, invalid, ignored), outcome) in enumerate(zip(checked, outcomes)):
            if outcome is None:
                results.append({"index": index, **_error_result(events[index], invalid)})
                continue
            result, stay, status, error = outcome
            if error is not None:
                results.append({"index": index, **_error_result(events[index], error)})
            else:
                results.append(
                    {
                        "index": index,
                        "reservation_id": data["reservation_id"],
                        "result": result,
                        "stay_id": stay.pk if stay else None,
                        "status": status,
                        "ignored_fields": ignored,
                    }
                )
        return results

    @extend_schema(
        operation_id="stays_event_batch",
        tags=["stays"],
        summary="Send up to 1,000 reservation events",
        description="The events are applied in the order sent, with the same rules as the single event, in one "
        "transaction; the answer lists one result per event (applied, ignored or error with the "
        "error shape). A failed event does not stop the others.",
        request=StayEventBatchInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: StayEventBatchResultSerializer, **error_responses(*COMMON_ERRORS, 409, 422)},
    )
    @idempotent
    def post(self, request):
        batch = StayEventBatchInputSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        events = batch.validated_data["events"]
        try:
            # Set-based: validated, read and written in a few statements for the whole batch.
            with transaction.atomic():
                results = self._apply_set_based(request, events)
        except Exception:  # noqa: BLE001 - never a 500 for one bad event
            # Something validation did not foresee (a row the database refuses, text it cannot
            # encode) fails the whole set-based batch: it is redone event by event, each in its
            # own savepoint, so only the bad event answers an error.
            logger.warning("Set-based stay batch failed; applying it event by event", exc_info=True)
            results = self._apply_one_by_one(request, events)
        counts = {name: sum(1 for r in results if r["result"] == name) for name in ("applied", "ignored", "error")}
        return Response(
            {"applied": counts["applied"], "ignored": counts["ignored"], "errors": counts["error"], "results": results}
        )


def _error_result(raw, exc):
    reservation_id = raw.get("reservation_id") if isinstance(raw, dict) else None
    return {
        "reservation_id": reservation_id if isinstance(reservation_id, str) else None,
        "result": "error",
        "stay_id": None,
        "status": None,
        "error": error_body(exc),
    }


class ArrivalsApi(PmsApiView):
    required_scopes = {"GET": Scope.ARRIVALS_READ}

    @extend_schema(
        operation_id="arrivals_list",
        tags=["arrivals"],
        summary="Arrivals of a day with preferences",
        description="The hotel's arrivals (not cancelled, not no-show) with preferences, special dates during the "
        "stay, open complaints and tier. Confidential guests the caller may not open show the room only.",
        parameters=[ArrivalsQuerySerializer],
        responses={200: ArrivalsSerializer, **error_responses(*COMMON_ERRORS)},
    )
    def get(self, request):
        query = ArrivalsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        hotel = self.caller.hotel
        day = query.validated_data.get("date") or timezone.localdate(timezone=_zone(hotel))
        rows = briefing_get(hotel=hotel, day=day, may_open=lambda guests: openable_ids(request, self.caller, guests))
        return Response({"hotel": hotel.code, "date": day, "arrivals": [_arrival(row) for row in rows]})


def _zone(hotel):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(hotel.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _arrival(row):
    return {
        "stay_id": row.stay_id,
        "room_number": row.room_number,
        "is_masked": row.is_masked,
        "guest_id": row.guest_id,
        "guest_name": row.guest_name,
        "room_type": row.room_type,
        "nights": row.nights,
        "departure_on": row.departure_on,
        "vip_level": row.vip_level,
        "guest_type": row.guest_type,
        "tier": str(row.tier or ""),
        "has_health_notes": row.has_health_notes,
        "preferences": [
            {"category": str(category), "name": str(name), "value": str(value)}
            for category, items in row.preference_groups
            for name, value in items
        ],
        "special_dates": [
            {"kind": o.kind, "label": str(o.label), "on": o.on, "is_lunar": o.is_lunar} for o in row.occasions
        ],
        "open_complaints": [str(c) for c in row.open_complaints],
    }


class IntegrationKeyUpdateSerializer(serializers.Serializer):
    is_strict = serializers.BooleanField(
        help_text="true: input with unknown fields is refused (400, a field error "
        "per unknown field); false: they are ignored and named back in "
        "`ignored_fields`."
    )


class IntegrationKeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    is_strict = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class IntegrationKeyApi(PmsApiView):
    """A manager (signed in, not through a key) sets a key of the active hotel to strict or lenient input."""

    @extend_schema(
        operation_id="keys_partial_update",
        tags=["keys"],
        summary="Choose a key's strict mode (managers)",
        description="For a manager's session only (an API key cannot change keys). Another hotel's key answers 404.",
        request=IntegrationKeyUpdateSerializer,
        responses={200: IntegrationKeySerializer, **error_responses(*COMMON_ERRORS, 404)},
    )
    def patch(self, request, pk):
        from hotelcrm.models import Role
        from hotelcrm.permissions import has_role_at_least
        from integrations import selectors
        from integrations.services import integration_key_set_strict

        if (
            self.caller.key is not None
            or self.caller.hotel is None
            or not has_role_at_least(request._request, Role.MANAGER)
        ):
            raise exceptions.PermissionDenied(_("Only a manager, signed in, may change API keys."))
        key = selectors.integration_key_get(hotel=self.caller.hotel, key_id=pk)
        if key is None:
            raise exceptions.NotFound()
        data = IntegrationKeyUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = integration_key_set_strict(
            key=key, actor=self.caller.actor, is_strict=data.validated_data["is_strict"], request=request
        )
        return Response(
            {
                "id": key.pk,
                "name": key.name,
                "prefix": key.prefix,
                "scopes": list(key.scopes),
                "is_strict": key.is_strict,
                "revoked_at": key.revoked_at,
            }
        )
