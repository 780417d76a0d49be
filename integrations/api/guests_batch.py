"""The batch guest upsert of the PMS API: up to 1,000 guests by PMS profile id, one result each."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from hotelcrm.api.base import (
    COMMON_ERRORS,
    IDEMPOTENCY_HEADER,
    PmsApiView,
    error_responses,
    fields_ignored,
    idempotent,
)
from integrations.api.guest_serializers import (
    GuestUpsertBatchInputSerializer,
    GuestUpsertBatchResultSerializer,
    GuestUpsertInputSerializer,
)
from integrations.api.views import error_body
from integrations.models import Scope
from integrations.services import guests_upsert_from_pms_many


class GuestUpsertBatchApi(PmsApiView):
    required_scopes = {"POST": Scope.GUESTS_WRITE}

    @extend_schema(
        operation_id="guests_upsert_batch",
        tags=["guests"],
        summary="Create or update up to 1,000 guests",
        description="Each item is shaped like the single upsert and keyed by its PMS profile id, so a retried "
        "batch changes nothing (every item answers `unchanged`); with an Idempotency-Key the first "
        "answer is replayed. One result per item, in order: created, updated, unchanged or error (the "
        "error shape, with field_errors); a failed item does not stop the others. Guest data is not "
        "returned: read it with the guest endpoints.",
        request=GuestUpsertBatchInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: GuestUpsertBatchResultSerializer, **error_responses(*COMMON_ERRORS, 409, 422)},
    )
    @idempotent
    def post(self, request):
        batch = GuestUpsertBatchInputSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        raws = batch.validated_data["guests"]
        serializer = (
            GuestUpsertInputSerializer()
        )  # one bound serializer: binding one per item costs more than validating
        checked = []
        for raw in raws:
            ignored = []
            try:
                ignored = fields_ignored(self.caller, serializer, raw)
                checked.append((dict(serializer.run_validation(raw)), None, ignored))
            except exceptions.ValidationError as error:
                checked.append((None, error, ignored))
        with transaction.atomic():
            outcomes = guests_upsert_from_pms_many(
                hotel=self.caller.hotel, items=[c[0] for c in checked], actor=self.caller.actor, request=request
            )
        results = []
        for index, ((_data, invalid, ignored), outcome, raw) in enumerate(zip(checked, outcomes, raws)):
            profile_id = raw.get("pms_profile_id") if isinstance(raw, dict) else None
            item = {
                "index": index,
                "pms_profile_id": profile_id if isinstance(profile_id, str) else None,
                "ignored_fields": ignored,
            }
            if outcome is None or outcome[0] == "error":
                item.update(result="error", guest_id=None, error=error_body(invalid if outcome is None else outcome[2]))
            else:
                item.update(result=outcome[0], guest_id=outcome[1].pk)
            results.append(item)
        counts = {
            name: sum(1 for r in results if r["result"] == name)
            for name in ("created", "updated", "unchanged", "error")
        }
        return Response(
            {
                "created": counts["created"],
                "updated": counts["updated"],
                "unchanged": counts["unchanged"],
                "errors": counts["error"],
                "results": results,
            }
        )
