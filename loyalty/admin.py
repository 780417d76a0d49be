"""Admin for loyalty: configuration is editable; the ledger and its allocations are read-only
(the database refuses changes anyway; corrections go through adjustments in the app)."""

from django.contrib import admin

from hotelcrm.admin import TenantScopedAdmin
from loyalty.models import AdjustmentRequest, JobRun, LedgerEntry, Membership, Program, RedemptionOrder, Reward, Tier


class ReadOnlyAdmin(TenantScopedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(TenantScopedAdmin):
    list_display = ("name", "organization", "currency", "adjustment_approval_threshold")


@admin.register(Tier)
class TierAdmin(TenantScopedAdmin):
    list_display = ("name", "organization", "rank", "min_nights", "min_stays", "min_spend", "multiplier")


@admin.register(Reward)
class RewardAdmin(TenantScopedAdmin):
    list_display = ("name", "organization", "hotel", "kind", "points_price", "stock", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("member_number", "organization", "tier", "balance", "status", "joined_on")
    search_fields = ("member_number",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "organization",
        "membership",
        "kind",
        "points",
        "remaining",
        "expires_on",
        "source_type",
    )
    list_filter = ("kind", "source_type")


@admin.register(RedemptionOrder)
class RedemptionOrderAdmin(ReadOnlyAdmin):
    list_display = ("placed_at", "organization", "membership", "reward", "points", "status")


@admin.register(AdjustmentRequest)
class AdjustmentRequestAdmin(ReadOnlyAdmin):
    list_display = ("requested_at", "organization", "membership", "points", "status")


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("local_date", "organization", "job", "status", "members_seen", "members_changed", "points")
