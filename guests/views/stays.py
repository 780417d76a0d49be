"""Front desk moves a stay on from the guest profile: check in, check out, cancel, no-show.

The change itself is guests.stays.stay_status_set (one transaction, audited, stay_changed sent,
so loyalty awards a checkout's points once). These views only find the stay through the door,
check the role and the guest's confidentiality, and answer a page or an HTMX row.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from guests.access import can_open_profile
from guests.models import Stay, StayStatus
from guests.stays import UI_TRANSITIONS, StayError, stay_status_set
from hotelcrm.models import Role
from hotelcrm.permissions import has_role_at_least, role_required

STAY_ACTIONS = (
    (StayStatus.IN_HOUSE, pgettext_lazy("stay action", "Check in")),
    (StayStatus.CHECKED_OUT, pgettext_lazy("stay action", "Check out")),
    (StayStatus.CANCELLED, pgettext_lazy("stay action", "Cancel")),
    (StayStatus.NO_SHOW, pgettext_lazy("stay action", "Mark no-show")),
)


def stay_actions_for(*, request, stay):
    """The status changes the signed-in staff member may make to `stay` here: stays of the active
    hotel only (another hotel's stays are changed after switching to it), per UI_TRANSITIONS."""
    hotel = getattr(request, "hotel", None)
    if hotel is None or stay.hotel_id != hotel.pk or not has_role_at_least(request, Role.FRONT_DESK):
        return []
    allowed = UI_TRANSITIONS.get(stay.status, set())
    return [(value, label) for value, label in STAY_ACTIONS if value in allowed]


@role_required(Role.FRONT_DESK)  # first, so an anonymous visitor is sent to log in whatever the method
@require_POST
def stay_status_update(request, stay_id):
    # The door: a stay of the active hotel. Another hotel's or organization's id answers 404.
    stay = get_object_or_404(Stay.objects.for_hotel(request.hotel).select_related("hotel", "guest"), pk=stay_id)
    if not can_open_profile(request=request, guest=stay.guest):
        return render(request, "guests/guest_restricted.html", {"guest_id": stay.guest_id}, status=403)
    status = request.POST.get("status", "")
    error = None
    if status not in dict(STAY_ACTIONS):
        error = _("Choose what to do with the stay.")
    else:
        try:
            stay = stay_status_set(stay=stay, status=status, actor=request.user, source="ui", request=request)
        except StayError as exc:
            error = exc.message
            stay.refresh_from_db()
    note = error or _("Stay %(reservation)s is now: %(status)s.") % {
        "reservation": stay.pms_reservation_id,
        "status": stay.get_status_display(),
    }
    if request.headers.get("HX-Request"):
        # HTMX swaps only 2xx answers: the row comes back with the outcome written in it.
        return render(
            request,
            "guests/partials/stay_row.html",
            {"stay": stay, "stay_note": note, "stay_note_is_error": error is not None},
        )
    (messages.error if error else messages.success)(request, note)
    return redirect(reverse("guests:detail", kwargs={"guest_id": stay.guest_id}) + "#stays")
