from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from hotelcrm.demo import demo_step_register

        # seed_demo: the rollups and RFM scores of the whole demo history, after every other app's data.
        demo_step_register(name="reports", path="reports.demo.demo_step", order=90)
