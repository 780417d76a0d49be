from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self):
        # Points follow stays, adopted suggestions and guest merges (hotelcrm/domain_events.py).
        from loyalty import signals  # noqa: F401
