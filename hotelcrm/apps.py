from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hotelcrm"
    label = "core"
    verbose_name = _("Organizations and hotels")

    def ready(self):
        from hotelcrm import signals  # noqa: F401  (audit of logins)
