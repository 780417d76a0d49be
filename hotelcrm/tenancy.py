"""The one door to tenant data.

Every tenant-owned model carries `organization` and uses `TenantManager`, so rows are
reached with `Model.objects.for_org(org)` (or `for_hotel(hotel)`). Code that must cross
tenants says so by calling `all_tenants_unscoped()`, which a reviewer can grep for.

Row-level security in PostgreSQL (hotelcrm/rls.py) holds the same wall in the database: inside
a tenant context, rows of other organizations are not there at all. `all_tenants_unscoped()`
is also the door through that wall: its queryset runs its queries in the SYSTEM context.
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


def _crossing():
    from hotelcrm import rls

    return rls.tenant_context(rls.SYSTEM)


class CrossTenantQuerySet(TenantQuerySet):
    """Rows of every organization: each query it runs crosses row-level security on purpose."""

    def _fetch_all(self):
        if self._result_cache is None:
            with _crossing():
                super()._fetch_all()

    def iterator(self, chunk_size=None):
        # The caller's loop body runs in the SYSTEM context too: keep it to reading.
        with _crossing():
            yield from super().iterator(chunk_size=chunk_size)

    def count(self):
        with _crossing():
            return super().count()

    def exists(self):
        with _crossing():
            return super().exists()

    def aggregate(self, *args, **kwargs):
        with _crossing():
            return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        with _crossing():
            return super().update(**kwargs)

    def delete(self):
        with _crossing():
            return super().delete()


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    def all_tenants_unscoped(self):
        """Rows of every organization. Only for superuser admin, migrations, dispatchers and the
        few lookups that find the tenant (a user's memberships, an API key, a link's token)."""
        return CrossTenantQuerySet(model=self.model, using=self._db, hints=self._hints)


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
