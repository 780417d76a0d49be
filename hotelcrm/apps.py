from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hotelcrm"
    label = "core"
    verbose_name = _("Organizations and hotels")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from hotelcrm import rls, signals, tenant_keys  # noqa: F401  (signals: audit of logins)

        connection_created.connect(rls.connection_opened, dispatch_uid="hotelcrm.rls.connection_opened")
        post_migrate.connect(rls.after_migrate, dispatch_uid="hotelcrm.rls.after_migrate")
        post_migrate.connect(tenant_keys.after_migrate, dispatch_uid="hotelcrm.tenant_keys.after_migrate")
