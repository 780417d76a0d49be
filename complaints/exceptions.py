from django.utils.translation import gettext as _

from hotelcrm.exceptions import ApplicationError


class ComplaintError(ApplicationError):
    code = "complaint_error"


class IllegalTransition(ComplaintError):
    code = "illegal_transition"


class ComplaintConflict(ComplaintError):
    code = "complaint_conflict"

    def __init__(self, message=None, **kwargs):
        super().__init__(
            message
            or _(
                "Someone else changed this complaint while you were looking at it. "
                "Nothing of yours was saved: reload the page and try again."
            ),
            **kwargs,
        )


class AttachmentRejected(ComplaintError):
    code = "attachment_rejected"


class FeedbackLinkInvalid(ComplaintError):
    code = "feedback_link_invalid"
