"""Labels of the audit events the care app writes (registered in CareConfig.ready)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "care.call_complete": _("Care call completed"),
    "care.campaign_create": _("Care campaign created"),
    "care.campaign_update": _("Care campaign changed"),
    "care.template_save": _("Message template saved"),
    "care.settings_save": _("Care settings saved"),
    "care.segment_save": _("Segment saved"),
    "care.run_open": _("Campaign run opened"),
    "care.run_select": _("Campaign recipients chosen"),
    "care.churn_scored": _("Churn risk scored"),
    "care.survey_answer": _("Survey answered"),
    "care.holiday_create": _("Holiday added"),
    "care.holiday_update": _("Holiday changed"),
    "care.holiday_import": _("Holidays imported"),
    "care.holiday_seed": _("Holidays added from the calendar"),
    "care.unsubscribe": _("Guest unsubscribed"),
}
DOMAINS = {"care": _("Guest care")}
