from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self):
        from hotelcrm.labels import model_field_labels, register_audit_labels
        from loyalty.audit_labels import ACTIONS, DOMAINS

        # The audit trail shows these codes as labels in the reader's language.
        register_audit_labels(actions=ACTIONS, domains=DOMAINS, fields=model_field_labels(*self.get_models()))
        # Points follow stays, adopted suggestions and guest merges (hotelcrm/domain_events.py).
        from guests.selectors_briefing import briefing_extension_register
        from loyalty import signals  # noqa: F401
        from loyalty.briefing import briefing_tiers

        # The arrivals briefing shows each arriving member's tier.
        briefing_extension_register(briefing_tiers)

        # The guest search finds a member number, the profile shows the loyalty card, and recent
        # loyalty activity keeps a guest past retention (guests.extensions).
        from guests.extensions import profile_panel_register, retention_hold_register, search_key_register
        from loyalty.extensions import loyalty_card_context, member_number_guest_ids, recent_activity_hold

        search_key_register(member_number_guest_ids)
        profile_panel_register(template="loyalty/partials/guest_card.html", context=loyalty_card_context)
        retention_hold_register(recent_activity_hold)

        from hotelcrm.demo import demo_step_register

        demo_step_register(name="loyalty", path="loyalty.demo.demo_step", order=30)
