from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("PMS integrations")

    def ready(self):
        from django.utils.translation import pgettext_lazy

        from hotelcrm.labels import register_audit_labels

        register_audit_labels(
            actions={"integration_key.create": _("API key created"), "integration_key.revoke": _("API key revoked")},
            domains={"integration_key": pgettext_lazy("audit domain", "API key")},
        )
        from hotelcrm.models import AuditEvent
        from integrations.audit_context import label_audit_event

        pre_save.connect(label_audit_event, sender=AuditEvent, dispatch_uid="integrations-label-audit-event")
        from integrations import schema  # noqa: F401  (OpenAPI extension for the key authentication)
