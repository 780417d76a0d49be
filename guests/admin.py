from django.contrib import admin

from guests.models import GuestProfile, Stay
from hotelcrm.admin import TenantScopedAdmin


@admin.register(GuestProfile)
class GuestProfileAdmin(TenantScopedAdmin):
    list_display = ["family_name", "given_name", "native_name", "nationality", "organization"]
    search_fields = ["search_name"]


@admin.register(Stay)
class StayAdmin(TenantScopedAdmin):
    list_display = ["pms_reservation_id", "guest", "hotel", "arrival_on", "departure_on", "status"]
    list_filter = ["status"]
    list_select_related = ["guest", "hotel"]
    raw_id_fields = ["guest"]
