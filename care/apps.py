from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Guest care")

    def ready(self):
        from hotelcrm.demo import demo_step_register

        demo_step_register(name="care", path="care.demo.demo_step", order=40)
        demo_step_register(name="care.churn", path="care.demo.demo_churn_step", order=85)
