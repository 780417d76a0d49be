from django.contrib import admin

from complaints.models import Complaint, Department, HotelComplaintSettings, SlaOverride, SlaPolicy
from hotelcrm.admin import TenantScopedAdmin


@admin.register(Complaint)
class ComplaintAdmin(TenantScopedAdmin):
    list_display = ["pk", "hotel", "category", "severity", "status", "received_at", "resolve_due_at"]
    list_filter = ["status", "category", "severity"]
    list_select_related = ["hotel"]
    raw_id_fields = ["guest", "assignee", "department", "created_by"]
    readonly_fields = ["version", "next_escalation_at"]


@admin.register(Department)
class DepartmentAdmin(TenantScopedAdmin):
    list_display = ["name", "hotel", "head"]
    list_select_related = ["hotel", "head"]
    raw_id_fields = ["head"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(TenantScopedAdmin):
    list_display = ["organization", "acknowledge_minutes", "resolve_minutes", "hard_limit_minutes", "at_risk_percent"]


@admin.register(SlaOverride)
class SlaOverrideAdmin(TenantScopedAdmin):
    list_display = ["organization", "severity", "acknowledge_minutes", "resolve_minutes", "hard_limit_minutes"]


@admin.register(HotelComplaintSettings)
class HotelComplaintSettingsAdmin(TenantScopedAdmin):
    list_display = ["hotel", "compensation_approval_threshold", "general_manager", "malicious_warning_threshold"]
    raw_id_fields = ["general_manager"]
