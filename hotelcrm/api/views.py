from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response

from hotelcrm.api.base import COMMON_ERRORS, KeyRateThrottle, error_responses
from hotelcrm.models import Hotel


class HotelOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hotel
        fields = ["id", "code", "name", "time_zone", "currency"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(
        help_text="The staff member's username, or the key's label for an integration key."
    )
    active_hotel = serializers.IntegerField(allow_null=True)
    organization = serializers.CharField(allow_null=True, help_text="The organization's slug.")
    role = serializers.CharField(allow_null=True, help_text="The staff role at the active hotel; null for a key.")


class StaffHotelMixin:
    """Hotels the calling staff member may work in (a key: its own hotel); any other id is 404."""

    serializer_class = HotelOutputSerializer
    throttle_classes = [KeyRateThrottle]

    def get_queryset(self):
        ids = [hotel.pk for hotel in self.request.access.hotels]
        return Hotel.objects.all_tenants_unscoped().filter(pk__in=ids).order_by("name", "pk")


@extend_schema(
    tags=["account"],
    summary="Hotels the caller may work in",
    responses={200: HotelOutputSerializer(many=True), **error_responses(*COMMON_ERRORS)},
)
class HotelListApi(StaffHotelMixin, ListAPIView):
    pass


@extend_schema(
    tags=["account"],
    summary="One hotel",
    responses={200: HotelOutputSerializer, **error_responses(*COMMON_ERRORS, 404)},
)
class HotelDetailApi(StaffHotelMixin, RetrieveAPIView):
    pass


@extend_schema(
    tags=["account"], summary="Who is calling", responses={200: MeSerializer, **error_responses(*COMMON_ERRORS)}
)
@api_view(["GET"])
@throttle_classes([KeyRateThrottle])
def me_api(request):
    return Response(
        {
            "username": request.user.get_username(),
            "active_hotel": request.hotel.pk if request.hotel else None,
            "organization": request.organization.slug if request.organization else None,
            "role": request.role,
        }
    )
