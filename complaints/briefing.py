"""The arrivals briefing's "open complaints" line, for every arriving guest in one query."""

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import OPEN_STATUSES, Complaint


def open_complaints_for_briefing(*, hotel, day, rows):
    guest_ids = {row.guest_id for row in rows if getattr(row, "guest_id", None)}
    if not guest_ids:
        return
    by_guest = {}
    # Open complaints anywhere in the group: the arriving guest may have complained at a sister hotel.
    for complaint in (
        Complaint.objects.for_org(hotel.organization_id)
        .filter(guest_id__in=guest_ids, status__in=OPEN_STATUSES)
        .select_related("hotel")
        .order_by("resolve_due_at")
    ):
        due = timezone.localtime(complaint.resolve_due_at, hotel.tz).strftime("%m-%d %H:%M")
        text = _("#%(number)s %(category)s, due %(due)s") % {
            "number": complaint.pk,
            "category": complaint.get_category_display(),
            "due": due,
        }
        if complaint.hotel_id != hotel.pk:
            text = f"{text} ({complaint.hotel.name})"
        by_guest.setdefault(complaint.guest_id, []).append(text)
    for row in rows:
        if getattr(row, "guest_id", None) in by_guest and not getattr(row, "is_masked", False):
            row.open_complaints = by_guest[row.guest_id]
