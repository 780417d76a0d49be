from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Guest care")

    def ready(self):
        from care.audit_labels import ACTIONS, DOMAINS
        from hotelcrm.labels import model_field_labels, register_audit_labels

        # The audit trail shows these codes as labels in the reader's language.
        register_audit_labels(actions=ACTIONS, domains=DOMAINS, fields=model_field_labels(*self.get_models()))
