from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    name = "guests"
    verbose_name = _("Guests")

    def ready(self):
        # Connects the receiver that gives every new organization the preference catalog.
        from guests import signals  # noqa: F401
        from guests.audit_labels import ACTIONS, DOMAINS, field_labels
        from hotelcrm.labels import register_audit_labels

        # The audit trail shows these codes as labels in the reader's language.
        register_audit_labels(actions=ACTIONS, fields=field_labels(), domains=DOMAINS)
