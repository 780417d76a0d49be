"""Loyalty for the PMS: a guest's balance and statement, awarding and redeeming points.

Writes need an `Idempotency-Key`: the answer is replayed on retry (hotelcrm.api.base) and
the ledger itself refuses a second entry with the same key (loyalty.services), so a retried
award never credits twice.
"""

import hashlib

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from guests import selectors as guest_selectors
from hotelcrm.api.base import COMMON_ERRORS, PmsApiView, error_responses, idempotent
from hotelcrm.api.query import StrictQuerySerializer
from integrations.models import Scope

MAX_STATEMENT_ROWS = 200


class BalanceSerializer(serializers.Serializer):
    guest_id = serializers.IntegerField()
    member_number = serializers.CharField()
    balance = serializers.IntegerField()
    tier = serializers.CharField()
    tier_valid_until = serializers.DateField(allow_null=True)


class StatementRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    points = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    expires_on = serializers.DateField(allow_null=True)
    source_type = serializers.CharField()
    reason = serializers.CharField()


class StatementSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    results = StatementRowSerializer(many=True)


class StatementQuerySerializer(StrictQuerySerializer):
    offset = serializers.IntegerField(min_value=0, max_value=10**9, required=False, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_STATEMENT_ROWS, required=False, default=50)


class PointsInputSerializer(serializers.Serializer):
    points = serializers.IntegerField(min_value=1, max_value=10**9)
    reason = serializers.CharField(max_length=300, help_text="Shown on the member's statement, e.g. the outlet bill.")


class PointsResultSerializer(serializers.Serializer):
    entry_id = serializers.IntegerField()
    points = serializers.IntegerField()
    balance = serializers.IntegerField()


class AwardResultSerializer(PointsResultSerializer):
    adjustment_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["applied"])


class PendingAwardSerializer(serializers.Serializer):
    adjustment_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "rejected"], help_text="rejected: a manager refused it.")
    points = serializers.IntegerField()
    balance = serializers.IntegerField(help_text="The balance now, without the waiting points.")


def _membership_or_404(caller, guest_id):
    from loyalty import selectors

    guest = guest_selectors.guest_get(organization=caller.organization, guest_id=guest_id)
    if guest is None:
        raise exceptions.NotFound()
    membership = selectors.membership_for_guest(organization=caller.organization, guest_id=guest.pk)
    if membership is None:
        from loyalty.exceptions import NotAMember

        raise NotAMember(_("This guest is not a loyalty member."))
    return membership


def _ledger_key(caller, request):
    raw = request.headers.get("Idempotency-Key")
    if not raw or not raw.strip():
        raise exceptions.ValidationError(
            {"Idempotency-Key": [_("Send an Idempotency-Key header with every award or redemption.")]}
        )
    digest = hashlib.sha256(raw.strip().encode()).hexdigest()[:40]
    return f"api:{caller.hotel.pk}:{request.path.rstrip('/').rsplit('/', 1)[-1]}:{digest}"


class LoyaltyBalanceApi(PmsApiView):
    required_scopes = {"GET": Scope.LOYALTY_READ}

    @extend_schema(
        operation_id="loyalty_balance",
        tags=["loyalty"],
        summary="A guest's points balance and tier",
        responses={200: BalanceSerializer, **error_responses(*COMMON_ERRORS, 404)},
    )
    def get(self, request, pk):
        from loyalty import selectors

        membership = _membership_or_404(self.caller, pk)
        return Response({"guest_id": membership.guest_id, **selectors.member_balance(membership=membership)})


class LoyaltyStatementApi(PmsApiView):
    required_scopes = {"GET": Scope.LOYALTY_READ}

    @extend_schema(
        operation_id="loyalty_statement",
        tags=["loyalty"],
        summary="A guest's points statement, newest first",
        parameters=[StatementQuerySerializer],
        responses={200: StatementSerializer, **error_responses(*COMMON_ERRORS, 404)},
    )
    def get(self, request, pk):
        from loyalty import selectors

        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        membership = _membership_or_404(self.caller, pk)
        statement = selectors.member_statement(membership=membership)
        offset, limit = query.validated_data["offset"], query.validated_data["limit"]
        rows = statement[offset : offset + limit]
        return Response(
            {
                "count": statement.count(),
                "offset": offset,
                "results": [
                    {
                        "id": r["id"],
                        "created_at": r["created_at"],
                        "kind": r["kind"],
                        "points": r["points"],
                        "balance_after": r["running"],
                        "expires_on": r["expires_on"],
                        "source_type": r["source_type"],
                        "reason": r["reason"] or "",
                    }
                    for r in rows
                ],
            }
        )


class _PointsApi(PmsApiView):
    required_scopes = {"POST": Scope.LOYALTY_WRITE}
    service_name = ""

    def _apply(self, request, pk):
        from loyalty import services
        from loyalty.models import SourceType

        # An unknown or foreign guest answers 404 before anything about the body or the key.
        membership = _membership_or_404(self.caller, pk)
        data = PointsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ledger_key = _ledger_key(self.caller, request)
        service = getattr(services, self.service_name)
        caller = self.caller
        source = f"pms:{caller.key.prefix}" if caller.key else f"staff:{caller.user.pk}"
        entry = service(
            membership=membership,
            points=data.validated_data["points"],
            idempotency_key=ledger_key,
            source_type=SourceType.ADJUSTMENT,
            source_id=source,
            actor=caller.actor,
            hotel=caller.hotel,
            reason=data.validated_data["reason"],
            request=request,
        )
        membership.refresh_from_db(fields=["balance"])
        return Response(
            {"entry_id": entry.pk, "points": entry.points, "balance": membership.balance},
            status=status.HTTP_201_CREATED,
        )


LEDGER_KEY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=True,
    type=str,
    description="Required. A retry with the same key returns the first answer and never posts twice; the same key "
    "with another body is refused with 422.",
)


class LoyaltyAwardApi(_PointsApi):
    @extend_schema(
        operation_id="loyalty_award",
        tags=["loyalty"],
        summary="Award points to a guest",
        description="The same rule as the app's awards: up to the program's approval threshold the points are "
        "credited at once (201); above it the award waits for a manager's approval (202, nothing "
        "credited yet). Above the key's (or the staff role's) limit per request or per 24 hours it is "
        "refused (403, points_limit_exceeded) and nothing is recorded.",
        request=PointsInputSerializer,
        parameters=[LEDGER_KEY_HEADER],
        responses={
            201: AwardResultSerializer,
            202: PendingAwardSerializer,
            **error_responses(*COMMON_ERRORS, 404, 409, 422),
        },
    )
    @idempotent
    def post(self, request, pk):
        from loyalty import selectors, services

        membership = _membership_or_404(self.caller, pk)
        data = PointsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        caller = self.caller
        adjustment = services.adjustment_request(
            membership=membership,
            points=data.validated_data["points"],
            reason=data.validated_data["reason"],
            actor=caller.actor,
            hotel=caller.hotel,
            api_key=caller.key,
            request=request,
            idempotency_key=_ledger_key(caller, request),
        )
        membership.refresh_from_db(fields=["balance"])
        if adjustment.status != "applied":  # waiting (or, on a retry, already refused by a manager)
            return Response(
                {
                    "adjustment_id": adjustment.pk,
                    "status": adjustment.status,
                    "points": adjustment.points,
                    "balance": membership.balance,
                },
                status=status.HTTP_202_ACCEPTED,
            )
        entry = selectors.adjustment_entry(adjustment=adjustment)
        return Response(
            {
                "adjustment_id": adjustment.pk,
                "status": "applied",
                "entry_id": entry.pk,
                "points": entry.points,
                "balance": membership.balance,
            },
            status=status.HTTP_201_CREATED,
        )


class LoyaltyRedeemApi(_PointsApi):
    service_name = "points_redeem"

    @extend_schema(
        operation_id="loyalty_redeem",
        tags=["loyalty"],
        summary="Redeem a guest's points",
        description="Refused (400, insufficient_points) when the balance is short.",
        request=PointsInputSerializer,
        parameters=[LEDGER_KEY_HEADER],
        responses={201: PointsResultSerializer, **error_responses(*COMMON_ERRORS, 404, 409, 422)},
    )
    @idempotent
    def post(self, request, pk):
        return self._apply(request, pk)


class MemberLookupSerializer(serializers.Serializer):
    member_number = serializers.CharField(max_length=40)
