from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    name = "guests"
    verbose_name = _("Guests")

    def ready(self):
        # Connects the receiver that gives every new organization the preference catalog.
        from guests import signals  # noqa: F401
        from hotelcrm.subjects import subject_model_register

        # Audit events about a guest profile are about a person (audit screen, access report).
        subject_model_register("guests.guestprofile")

        from hotelcrm.demo import demo_step_register

        # seed_demo: guests and stays first (everything else hangs off them), the finish after
        # every domain's demo data.
        demo_step_register(name="guests", path="guests.demo.demo_step", order=10)
        demo_step_register(name="guests.finish", path="guests.demo.demo_finish_step", order=80)
