from django.contrib import admin

from care.models import CallTask, Campaign, Delivery, Holiday, JobRun
from hotelcrm.admin import TenantScopedAdmin


@admin.register(Campaign)
class CampaignAdmin(TenantScopedAdmin):
    list_display = ("name", "kind", "channel", "hotel", "is_active")
    list_filter = ("kind", "channel", "is_active")


@admin.register(Holiday)
class HolidayAdmin(TenantScopedAdmin):
    list_display = ("name", "calendar", "month", "day", "on_date", "organization")


@admin.register(JobRun)
class JobRunAdmin(TenantScopedAdmin):
    list_display = ("job", "hotel", "local_date", "status", "selected", "chunks")


@admin.register(Delivery)
class DeliveryAdmin(TenantScopedAdmin):
    list_display = ("campaign", "guest_id", "occasion_on", "channel", "status", "attempts")
    list_filter = ("status", "channel")
    raw_id_fields = ("guest", "stay", "run", "campaign")


@admin.register(CallTask)
class CallTaskAdmin(TenantScopedAdmin):
    list_display = ("guest_id", "reason", "due_on", "status", "outcome")
    raw_id_fields = ("guest", "delivery", "survey", "campaign")
