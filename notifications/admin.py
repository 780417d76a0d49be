from django.contrib import admin

from hotelcrm.admin import TenantScopedAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(TenantScopedAdmin):
    list_display = ("created_at", "recipient", "kind", "email_status", "read_at")
    list_filter = ("kind", "email_status")
    readonly_fields = ("created_at", "emailed_at", "email_attempts", "email_error")
