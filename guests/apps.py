from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    name = "guests"
    verbose_name = _("Guests")

    def ready(self):
        # Connects the receiver that gives every new organization the preference catalog.
        from guests import signals  # noqa: F401
