"""Guest endpoints of the PMS API: upsert by PMS profile id, get, partial update, lookup, list.

Confidential profiles follow the UI's rules (guests.access): a staff session opens what the
staff member may open; an integration key never opens a confidential profile, so those come
back masked (id only) and cannot be changed by id.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from guests import access, selectors, services
from guests.exceptions import ProfileRestricted
from guests.models import ContactKind
from hotelcrm.api.base import (
    COMMON_ERRORS,
    IDEMPOTENCY_HEADER,
    PmsApiView,
    error_responses,
    fields_ignored,
    idempotent,
)
from hotelcrm.api.pagination import StrictCursorPagination
from integrations.api.guest_serializers import (
    GUEST_OR_MASKED,
    GUEST_OR_MASKED_LIST,
    GuestListQuerySerializer,
    GuestLookupGetQuerySerializer,
    GuestLookupQuerySerializer,
    GuestMergedSerializer,
    GuestOutputSerializer,
    GuestPageSerializer,
    GuestUpdateInputSerializer,
    GuestUpsertInputSerializer,
    guest_output,
)
from integrations.models import Scope


def openable_ids(request, caller, guests):
    """Ids of `guests` the caller may open: non-confidential ones, plus what the staff member's grants open."""
    guests = list(guests)
    if caller.key is not None:
        return {guest.pk for guest in guests if not guest.is_restricted}
    return access.openable_profile_ids(request=request._request, guests=guests)


def _guest_or_404(caller, pk):
    return selectors.guest_get_or_404(organization=caller.organization, guest_id=pk)


class GuestCursorPagination(StrictCursorPagination):
    ordering = ("pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class GuestListApi(PmsApiView):
    required_scopes = {"GET": Scope.GUESTS_READ}

    @extend_schema(
        operation_id="guests_list",
        tags=["guests"],
        summary="List guests (cursor pagination)",
        parameters=[
            GuestListQuerySerializer,
            OpenApiParameter("cursor", str, description="The `next` / `previous` link's cursor."),
            OpenApiParameter("page_size", int, description="1 to 200 (default 50)."),
        ],
        responses={200: GuestPageSerializer, **error_responses(*COMMON_ERRORS)},
    )
    def get(self, request):
        query = GuestListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        guests = selectors.guest_search(
            organization=self.caller.organization, query=filters.get("q", ""), hotel=self.caller.hotel
        ).order_by()
        if "status" in filters:
            guests = guests.filter(status=filters["status"])
        if "vip_level_min" in filters:
            guests = guests.filter(vip_level__gte=filters["vip_level_min"])
        if "updated_since" in filters:
            guests = guests.filter(updated_at__gte=filters["updated_since"])
        paginator = GuestCursorPagination()
        try:
            page = paginator.paginate_queryset(guests, request, view=self)
        except NotFound:
            raise ValidationError({"cursor": [_("This cursor is not valid.")]})
        openable = openable_ids(request, self.caller, page)
        return paginator.get_paginated_response([guest_output(guest, openable) for guest in page])


class GuestDetailApi(PmsApiView):
    required_scopes = {"GET": Scope.GUESTS_READ, "PATCH": Scope.GUESTS_WRITE}

    def _merged_answer(self, guest):
        survivor_id = guest.merged_into_id
        location = reverse("api-guest-detail", kwargs={"pk": survivor_id})
        response = Response(
            {"id": guest.pk, "merged_into": survivor_id, "location": location}, status=status.HTTP_301_MOVED_PERMANENTLY
        )
        response["Location"] = location
        return response

    @extend_schema(
        operation_id="guests_retrieve",
        tags=["guests"],
        summary="Get a guest",
        description="A confidential profile the caller may not open comes back masked (id only). "
        "A profile merged into another answers 301 with where it went.",
        responses={200: GUEST_OR_MASKED, 301: GuestMergedSerializer, **error_responses(*COMMON_ERRORS, 404)},
    )
    def get(self, request, pk):
        guest = _guest_or_404(self.caller, pk)
        if guest.merged_into_id:
            return self._merged_answer(guest)
        return Response(guest_output(guest, openable_ids(request, self.caller, [guest])))

    @extend_schema(
        operation_id="guests_partial_update",
        tags=["guests"],
        summary="Change some fields of a guest",
        request=GuestUpdateInputSerializer,
        responses={200: GuestOutputSerializer, 301: GuestMergedSerializer, **error_responses(*COMMON_ERRORS, 404)},
    )
    def patch(self, request, pk):
        guest = _guest_or_404(self.caller, pk)
        if guest.merged_into_id:
            return self._merged_answer(guest)
        if guest.pk not in openable_ids(request, self.caller, [guest]):
            raise ProfileRestricted()
        data = GuestUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        guest = services.guest_update(
            guest=guest, actor=self.caller.actor, data=data.validated_data, request=request, hotel=self.caller.hotel
        )
        return Response(GuestOutputSerializer(guest).data)


class GuestUpsertApi(PmsApiView):
    required_scopes = {"POST": Scope.GUESTS_WRITE}

    @extend_schema(
        operation_id="guests_upsert",
        tags=["guests"],
        summary="Create or update a guest by PMS profile id",
        description="The PMS profile id is linked per hotel. 201 when the guest was created, 200 when updated. "
        "Email and phone are added to the guest's contacts and never returned. Fields the API does not "
        "know are ignored and named in the answer's `ignored_fields` (a strict key refuses them, 400).",
        request=GuestUpsertInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: GUEST_OR_MASKED, 201: GUEST_OR_MASKED, **error_responses(*COMMON_ERRORS, 409, 422)},
    )
    @idempotent
    def post(self, request):
        from integrations.services import guest_upsert_from_pms

        data = GuestUpsertInputSerializer(data=request.data)
        ignored = fields_ignored(self.caller, data, request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        pms_profile_id = values.pop("pms_profile_id")
        email, phone = values.pop("email", ""), values.pop("phone", "")
        guest, created = guest_upsert_from_pms(
            hotel=self.caller.hotel,
            pms_profile_id=pms_profile_id,
            data=values,
            email=email,
            phone=phone,
            actor=self.caller.actor,
            request=request,
        )
        body = guest_output(guest, openable_ids(request, self.caller, [guest]))
        if ignored:
            body = {**body, "ignored_fields": ignored}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


PII_LOOKUP_FIELDS = ("email", "phone", "document_number")


class GuestLookupApi(PmsApiView):
    """Look-up by an exact key. Personal data (email, phone, document number) is sent only in a
    POST body, so it never sits in a URL that access logs and proxies keep; GET takes the
    non-personal keys (member_number, pms_profile_id) and refuses the personal ones."""

    required_scopes = {"GET": Scope.GUESTS_READ, "POST": Scope.GUESTS_READ}

    @extend_schema(
        operation_id="guests_lookup",
        tags=["guests"],
        summary="Find guests by member number or PMS profile id",
        description="Exactly one of member_number or pms_profile_id (this hotel's). Email, phone and document "
        "number are refused here (400): POST them in the body to the same address.",
        parameters=[GuestLookupGetQuerySerializer],
        responses={200: GUEST_OR_MASKED_LIST, **error_responses(*COMMON_ERRORS)},
    )
    def get(self, request):
        sent = [name for name in PII_LOOKUP_FIELDS if name in request.query_params]
        if sent:
            raise ValidationError(
                {name: [_("Personal data may not be sent in a URL: POST it in the body.")] for name in sent}
            )
        query = GuestLookupGetQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self._answer(request, query.validated_data)

    @extend_schema(
        operation_id="guests_lookup_by_body",
        tags=["guests"],
        summary="Find guests by an exact key (in the body)",
        description="Exactly one of email, phone, document_number (with document_type), member_number or "
        "pms_profile_id (this hotel's). Exact match through the blind indexes; merged profiles are "
        "answered with the profile they now live on. Nothing is changed.",
        request=GuestLookupQuerySerializer,
        responses={200: GUEST_OR_MASKED_LIST, **error_responses(*COMMON_ERRORS)},
    )
    def post(self, request):
        query = GuestLookupQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        return self._answer(request, query.validated_data)

    def _answer(self, request, q):
        from guests.stays import guest_resolve_merged
        from integrations.services import guest_for_pms_profile

        organization = self.caller.organization
        if q.get("email"):
            guests = list(
                selectors.guests_by_contact(organization=organization, kind=ContactKind.EMAIL, raw_value=q["email"])
            )
        elif q.get("phone"):
            guests = list(
                selectors.guests_by_contact(organization=organization, kind=ContactKind.PHONE, raw_value=q["phone"])
            )
        elif q.get("document_number"):
            guests = list(
                selectors.guests_by_document(
                    organization=organization, document_type=q["document_type"], raw_number=q["document_number"]
                )
            )
        elif q.get("pms_profile_id"):
            found = guest_for_pms_profile(hotel=self.caller.hotel, pms_profile_id=q["pms_profile_id"])
            guests = [found] if found else []
        else:
            guests = _guests_by_member_number(organization, q["member_number"])
        resolved = {}
        for guest in guests:
            survivor = guest_resolve_merged(organization=organization, guest=guest) if guest.merged_into_id else guest
            if survivor is not None:
                resolved[survivor.pk] = survivor
        ordered = [resolved[pk] for pk in sorted(resolved)]
        openable = openable_ids(request, self.caller, ordered)
        return Response([guest_output(guest, openable) for guest in ordered])


def _guests_by_member_number(organization, member_number):
    """Through the loyalty app's exact member-number lookup (check digit first; merged numbers follow)."""
    from loyalty.selectors import membership_by_number

    membership = membership_by_number(organization=organization, number=member_number)
    if membership is None:
        return []
    guest = selectors.guest_get(organization=organization, guest_id=membership.guest_id)
    return [guest] if guest is not None else []
