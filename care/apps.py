from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Guest care")

    def ready(self):
        from care.audit_labels import ACTIONS, DOMAINS
        from hotelcrm.labels import register_audit_labels

        register_audit_labels(actions=ACTIONS, domains=DOMAINS)
