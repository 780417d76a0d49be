from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from hotelcrm.models import AuditEvent, Hotel, Membership, Organization
from hotelcrm.selectors import staff_access_get


def admin_organization_ids(request):
    """Organizations a non-superuser staff member may administer: those of their memberships."""
    if not hasattr(request, "_admin_org_ids"):
        request._admin_org_ids = {org.pk for org in staff_access_get(request.user).organizations}
    return request._admin_org_ids


class TenantScopedAdmin(admin.ModelAdmin):
    """Superusers see every tenant; other staff see and choose only their own organizations' rows."""

    tenant_field = "organization"

    def get_queryset(self, request):
        queryset = (
            self.model.objects.all_tenants_unscoped()
            if hasattr(self.model.objects, "all_tenants_unscoped")
            else super().get_queryset(request)
        )
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.tenant_field}__in": admin_organization_ids(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            org_ids = admin_organization_ids(request)
            related = db_field.related_model
            if related is Organization:
                kwargs["queryset"] = Organization.objects.filter(pk__in=org_ids)
            elif related is get_user_model():
                kwargs["queryset"] = (
                    get_user_model().objects.filter(memberships__organization_id__in=org_ids).distinct()
                )
            elif any(f.name == "organization" for f in related._meta.get_fields()):
                kwargs["queryset"] = related.objects.all_tenants_unscoped().filter(organization_id__in=org_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # A related-field filter lists every row of the related table; only superusers get them.
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [
            f for f in filters if not (isinstance(f, str) and self.model._meta.get_field(f.split("__")[0]).is_relation)
        ]


@admin.register(Organization)
class OrganizationAdmin(TenantScopedAdmin):
    tenant_field = "pk"
    list_display = ["name", "slug", "currency", "default_language", "guest_retention_years"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request):
        queryset = Organization.objects.all()
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=admin_organization_ids(request))

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Hotel)
class HotelAdmin(TenantScopedAdmin):
    list_display = ["name", "code", "organization", "time_zone", "currency"]
    search_fields = ["name", "code"]
    list_select_related = ["organization"]


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "hotel", "role", "organization"]
    list_filter = ["role"]
    search_fields = ["user__username", "hotel__name"]
    list_select_related = ["user", "hotel", "organization"]


@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    list_display = ["occurred_at", "action", "actor", "organization", "hotel", "object_repr", "ip_address"]
    list_filter = ["action"]
    search_fields = ["action", "object_repr", "object_id"]
    list_select_related = ["actor", "organization", "hotel"]

    # Append-only: nobody adds, edits or deletes audit events through the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TenantUserAdmin(UserAdmin):
    """Staff of a group see and edit only the accounts that work in their group."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(memberships__organization_id__in=admin_organization_ids(request)).distinct()

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        # Only platform operators make superusers or change global groups and permissions.
        return (*fields, "is_superuser", "groups", "user_permissions")


class PlatformOnlyAdmin:
    """Global tables (groups, login attempts of every tenant) are for superusers only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def get_queryset(self, request):
        # Empty for others, so an existing row answers like a missing one (no existence leak).
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def _restrict_to_platform(model):
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return
    admin.site.unregister(model)
    admin.site.register(
        model, type(f"Platform{type(model_admin).__name__}", (PlatformOnlyAdmin, type(model_admin)), {})
    )


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), TenantUserAdmin)
for _model in (Group, AccessAttempt, AccessLog, AccessFailureLog):
    _restrict_to_platform(_model)
