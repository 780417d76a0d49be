from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self):
        # Points follow stays, adopted suggestions and guest merges (hotelcrm/domain_events.py).
        from guests.selectors_briefing import briefing_extension_register
        from loyalty import signals  # noqa: F401
        from loyalty.briefing import briefing_tiers

        # The arrivals briefing shows each arriving member's tier.
        briefing_extension_register(briefing_tiers)

        from hotelcrm.demo import demo_step_register

        demo_step_register(name="loyalty", path="loyalty.demo.demo_step", order=30)
