"""What loyalty contributes to the guest archive (registered in LoyaltyConfig.ready, guests.extensions)."""

from django.db.models import OuterRef
from django.db.models.functions import Coalesce

from loyalty.models import MEMBER_NUMBER_LENGTH, Membership, luhn_is_valid
from loyalty.selectors import guest_loyalty_card


def member_number_guest_ids(*, organization, text):
    """Guest ids holding loyalty member number `text` (exact, check digit verified); None when it is not one."""
    if len(text) != MEMBER_NUMBER_LENGTH or not luhn_is_valid(text):
        return None
    # A number retired by a merge finds the guest it was folded into.
    return (
        Membership.objects.for_org(organization)
        .filter(member_number=text)
        .values_list(Coalesce("merged_into__guest_id", "guest_id"), flat=True)
    )


def loyalty_card_context(*, request, guest):
    """The guest profile's loyalty card: the active membership with its tier, or None. One query."""
    return {"membership": guest_loyalty_card(organization=request.organization, guest_id=guest.pk)}


def recent_activity_hold(*, organization, cutoff):
    """A member active since the retention cutoff stays on file."""
    return Membership.objects.for_org(organization).filter(guest_id=OuterRef("pk"), last_activity_on__gte=cutoff)
