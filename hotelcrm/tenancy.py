"""The one door to tenant data.

Every tenant-owned model carries `organization` and uses `TenantManager`, so rows are
reached with `Model.objects.for_org(org)` (or `for_hotel(hotel)`). Code that must cross
tenants says so by calling `all_tenants_unscoped()`, which a reviewer can grep for.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class TenantQuerySet(models.QuerySet):
    def for_org(self, organization):
        if organization is None:
            return self.none()
        return self.filter(organization_id=getattr(organization, "pk", organization))

    def for_hotel(self, hotel):
        if hotel is None:
            return self.none()
        # The organization filter keeps the tenant column leading in every query plan.
        return self.filter(organization_id=hotel.organization_id, hotel_id=hotel.pk)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    def all_tenants_unscoped(self):
        """Rows of every organization. Only for superuser admin, migrations and dispatchers."""
        return super().get_queryset()


class TenantModel(models.Model):
    """A row owned by one organization (the tenant). `organization_id` is always set."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )

    objects = TenantManager()

    class Meta:
        abstract = True


class HotelScopedModel(TenantModel):
    """A row owned by one hotel of an organization."""

    hotel = models.ForeignKey("core.Hotel", on_delete=models.PROTECT, related_name="+", verbose_name=_("hotel"))

    class Meta:
        abstract = True


def tenant_models():
    """Every concrete model with an `organization` column: what isolation and Citus care about."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if not model._meta.abstract
        and any(f.name == "organization" and f.is_relation for f in model._meta.get_fields())
        and model._meta.model_name != "organization"
    ]
