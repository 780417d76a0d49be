"""Complaints for the PMS: log one, move it through its workflow, list the hotel's queue.

The writes go through complaints.services (state machine, SLA clocks, audit); calls made with
a key carry its label as the actor label of the timeline and the audit events.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from guests import selectors as guest_selectors
from hotelcrm.api.base import COMMON_ERRORS, IDEMPOTENCY_HEADER, PmsApiView, error_responses, idempotent
from hotelcrm.api.pagination import StrictCursorPagination
from hotelcrm.api.query import StrictQuerySerializer
from integrations.api.guests import openable_ids
from integrations.models import Scope


def _choices(name):
    from complaints import models

    return getattr(models, name).choices


class ComplaintOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    category = serializers.CharField()
    severity = serializers.CharField()
    channel = serializers.CharField()
    guest_id = serializers.IntegerField(allow_null=True)
    guest_name = serializers.CharField(help_text="Empty for a confidential guest the caller may not open.")
    room_number = serializers.CharField()
    description = serializers.CharField()
    received_at = serializers.DateTimeField()
    acknowledge_due_at = serializers.DateTimeField()
    resolve_due_at = serializers.DateTimeField()
    version = serializers.IntegerField(help_text="Send it back as expected_version to refuse a stale transition.")
    allowed_actions = serializers.ListField(child=serializers.CharField())


class ComplaintCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=[])
    description = serializers.CharField(max_length=5000)
    channel = serializers.ChoiceField(choices=[], required=False, default="in_person")
    severity = serializers.ChoiceField(choices=[], required=False, default="medium")
    guest_id = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    pms_profile_id = serializers.CharField(max_length=64, required=False)
    guest_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    room_number = serializers.CharField(max_length=16, required=False, allow_blank=True)
    guest_wish = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _choices("Category")
        self.fields["channel"].choices = _choices("Channel")
        self.fields["severity"].choices = _choices("Severity")


class ClosingSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["justified", "not_justified"])
    response_text = serializers.CharField(max_length=5000)
    response_language = serializers.CharField(max_length=10, required=False, allow_blank=True)
    root_cause = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    corrective_action = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    satisfaction = serializers.IntegerField(min_value=1, max_value=5, required=False)
    satisfaction_comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    is_suggestion_adopted = serializers.BooleanField(required=False)


class ComplaintTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["acknowledge", "start", "resolve", "follow_up", "close", "reopen", "cancel"]
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, help_text="Needed to cancel.")
    expected_version = serializers.IntegerField(min_value=1, max_value=2**31, required=False)
    closing = ClosingSerializer(required=False, help_text="Needed to close.")


def _complaint_choices(name):
    from complaints import models

    return list(getattr(models, name).values)


class ComplaintListQuerySerializer(StrictQuerySerializer):
    # Choices, so an unknown status or category is refused (400) instead of listing everything.
    status = serializers.ChoiceField(
        choices=["open", "all", *_complaint_choices("Status")],
        required=False,
        help_text='"open" (default), "all", or one status.',
    )
    category = serializers.ChoiceField(choices=_complaint_choices("Category"), required=False)


class ComplaintPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ComplaintOutputSerializer(many=True)


def _output(complaint, openable):
    from complaints import workflow

    hidden = complaint.guest_id is not None and complaint.guest_id not in openable
    return {
        "id": complaint.pk,
        "status": complaint.status,
        "category": complaint.category,
        "severity": complaint.severity,
        "channel": complaint.channel,
        "guest_id": complaint.guest_id,
        "guest_name": "" if hidden else (complaint.guest.display_name if complaint.guest else complaint.guest_name),
        "room_number": complaint.room_number,
        "description": complaint.description,
        "received_at": complaint.received_at,
        "acknowledge_due_at": complaint.acknowledge_due_at,
        "resolve_due_at": complaint.resolve_due_at,
        "version": complaint.version,
        "allowed_actions": workflow.allowed_actions(complaint.status),
    }


def _openable(request, caller, complaints):
    guests = [c.guest for c in complaints if c.guest_id is not None]
    return openable_ids(request, caller, guests) if guests else set()


def _label(caller):
    return caller.key.label if caller.key is not None else ""


class ComplaintCursorPagination(StrictCursorPagination):
    ordering = ("-pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ComplaintListApi(PmsApiView):
    required_scopes = {"GET": Scope.COMPLAINTS_WRITE, "POST": Scope.COMPLAINTS_WRITE}

    @extend_schema(
        operation_id="complaints_list",
        tags=["complaints"],
        summary="The hotel's complaints",
        parameters=[
            ComplaintListQuerySerializer,
            OpenApiParameter("cursor", str, description="The next / previous link's cursor."),
            OpenApiParameter("page_size", int, description="1 to 200 (default 50)."),
        ],
        responses={200: ComplaintPageSerializer, **error_responses(*COMMON_ERRORS)},
    )
    def get(self, request):
        from complaints.selectors import complaints_for_hotel

        query = ComplaintListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = complaints_for_hotel(hotel=self.caller.hotel, filters=dict(query.validated_data)).order_by()
        paginator = ComplaintCursorPagination()
        try:
            page = paginator.paginate_queryset(rows, request, view=self)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": [_("This cursor is not valid.")]})
        openable = _openable(request, self.caller, page)
        return paginator.get_paginated_response([_output(c, openable) for c in page])

    @extend_schema(
        operation_id="complaints_create",
        tags=["complaints"],
        summary="Log a complaint",
        description="The SLA clocks start at received_at (default: now) from the organization's policy.",
        request=ComplaintCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: ComplaintOutputSerializer, **error_responses(*COMMON_ERRORS, 409, 422)},
    )
    @idempotent
    def post(self, request):
        from complaints.services import complaint_create
        from integrations.services import guest_for_pms_profile

        data = ComplaintCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        caller = self.caller
        guest = None
        if values.get("guest_id"):
            guest = guest_selectors.guest_get(organization=caller.organization, guest_id=values.pop("guest_id"))
            if guest is None:
                raise exceptions.ValidationError({"guest_id": [_("No such guest.")]})
        elif values.get("pms_profile_id"):
            guest = guest_for_pms_profile(hotel=caller.hotel, pms_profile_id=values["pms_profile_id"])
            if guest is None:
                raise exceptions.ValidationError({"pms_profile_id": [_("Unknown PMS profile id.")]})
        values.pop("guest_id", None)
        values.pop("pms_profile_id", None)
        complaint = complaint_create(
            hotel=caller.hotel, actor=caller.actor, actor_label=_label(caller), guest=guest, request=request, **values
        )
        return Response(_output(complaint, _openable(request, caller, [complaint])), status=status.HTTP_201_CREATED)


class ComplaintTransitionApi(PmsApiView):
    required_scopes = {"POST": Scope.COMPLAINTS_WRITE}

    @extend_schema(
        operation_id="complaints_transition",
        tags=["complaints"],
        summary="Move a complaint one step",
        description="acknowledge, start, resolve, follow_up, close (with `closing`), reopen or cancel "
        "(with `reason`). An illegal step answers 400 illegal_transition; a stale "
        "expected_version answers 400 complaint_conflict.",
        request=ComplaintTransitionSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: ComplaintOutputSerializer, **error_responses(*COMMON_ERRORS, 404, 409, 422)},
    )
    @idempotent
    def post(self, request, pk):
        from complaints.selectors import complaint_get
        from complaints.services import complaint_transition

        caller = self.caller
        complaint = complaint_get(organization=caller.organization, complaint_id=pk)
        # A key works for its own hotel; another hotel's complaint answers like a missing one.
        if complaint is None or (caller.key is not None and complaint.hotel_id != caller.hotel.pk):
            raise exceptions.NotFound()
        data = ComplaintTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint = complaint_transition(
            complaint=complaint,
            action=values["action"],
            actor=caller.actor,
            actor_label=_label(caller),
            note=values.get("note", ""),
            reason=values.get("reason", ""),
            expected_version=values.get("expected_version"),
            closing=dict(values["closing"]) if values.get("closing") else None,
            request=request,
        )
        return Response(_output(complaint, _openable(request, caller, [complaint])))
