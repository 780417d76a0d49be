from django.contrib import admin
from django.contrib.auth import get_user_model

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
        queryset = self.model.objects.all_tenants_unscoped() if hasattr(self.model.objects, "all_tenants_unscoped") else super().get_queryset(request)
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
                kwargs["queryset"] = get_user_model().objects.filter(memberships__organization_id__in=org_ids).distinct()
            elif any(f.name == "organization" for f in related._meta.get_fields()):
                kwargs["queryset"] = related.objects.all_tenants_unscoped().filter(organization_id__in=org_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organization)
class OrganizationAdmin(TenantScopedAdmin):
    tenant_field = "pk"
    list_display = ["name", "slug", "currency", "default_language"]
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
    list_filter = ["organization"]
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
