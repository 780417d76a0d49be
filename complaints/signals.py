"""Receivers of the domain events (hotelcrm/domain_events.py); each runs in the sender's transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import receiver

from hotelcrm.domain_events import survey_dissatisfied
from hotelcrm.exceptions import ApplicationError


@receiver(survey_dissatisfied, dispatch_uid="complaints.survey_dissatisfied")
def complaint_from_survey(sender, *, hotel, guest, description, actor_label, **kwargs):
    """A dissatisfied guest's survey answer becomes a complaint, on the complaints SLA clock."""
    from complaints.services import complaint_create

    try:
        # A savepoint: a refused complaint must not undo the survey answer that sent the event.
        with transaction.atomic():
            return complaint_create(
                hotel=hotel,
                actor=None,
                actor_label=actor_label,
                category="other",
                channel="survey",
                description=description,
                guest=guest,
                guest_name=guest.display_name,
            )
    except (ApplicationError, ValidationError, IntegrityError):
        return None  # the survey's call task still makes sure someone follows up
