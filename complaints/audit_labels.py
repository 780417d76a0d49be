"""Labels of the audit events the complaints app writes (registered in ComplaintsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from complaints.models import Threshold
from complaints.workflow import ACTION_LABELS

ACTIONS = {
    "complaint.create": _("Complaint logged"),
    "complaint.update": _("Complaint changed"),
    "complaint.checklist": _("Complaint checklist ticked"),
    "complaint.attachment_add": _("Attachment added to a complaint"),
    "complaint.compensation_propose": _("Compensation proposed"),
    "complaint.compensation_approve": _("Compensation approved"),
    "complaint.compensation_reject": _("Compensation refused"),
    "complaint.feedback": _("Guest feedback received"),
    "complaint.feedback_link": _("Feedback link created"),
    "complaint.suggestion_adopted": _("Suggestion adopted"),
    **{f"complaint.{action}": label for action, label in ACTION_LABELS.items()},
    **{f"complaint.escalate_{value}": label for value, label in Threshold.choices},
}
DOMAINS = {"complaint": _("Complaint")}
