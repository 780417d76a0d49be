from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from complaints.audit_labels import ACTIONS, DOMAINS
        from hotelcrm.labels import model_field_labels, register_audit_labels

        # The audit trail shows these codes as labels in the reader's language.
        register_audit_labels(actions=ACTIONS, domains=DOMAINS, fields=model_field_labels(*self.get_models()))
        # The arrivals briefing shows each arriving guest's open complaints (guests imports nothing of ours).
        from complaints.briefing import open_complaints_for_briefing
        from guests.selectors_briefing import briefing_extension_register

        briefing_extension_register(open_complaints_for_briefing)
        # A dissatisfied survey answer (care) becomes a complaint (hotelcrm/domain_events.py).
        from complaints import signals  # noqa: F401
        from hotelcrm.demo import demo_step_register

        demo_step_register(name="complaints", path="complaints.demo.demo_step", order=20)
