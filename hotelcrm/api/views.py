from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response

from hotelcrm.models import Hotel


class HotelOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hotel
        fields = ["id", "code", "name", "time_zone", "currency"]


class StaffHotelMixin:
    """Hotels the calling staff member may work in; any other id is 404."""

    serializer_class = HotelOutputSerializer

    def get_queryset(self):
        ids = [hotel.pk for hotel in self.request.access.hotels]
        return Hotel.objects.all_tenants_unscoped().filter(pk__in=ids).order_by("name", "pk")


class HotelListApi(StaffHotelMixin, ListAPIView):
    pass


class HotelDetailApi(StaffHotelMixin, RetrieveAPIView):
    pass


@api_view(["GET"])
def me_api(request):
    return Response(
        {
            "username": request.user.get_username(),
            "active_hotel": request.hotel.pk if request.hotel else None,
            "organization": request.organization.slug if request.organization else None,
            "role": request.role,
        }
    )
