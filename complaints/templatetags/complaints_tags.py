"""The guest profile's complaint history, rendered by the complaints app (two queries, any length)."""

from django import template

from complaints.selectors import complaints_for_guest, guest_complaint_summary

register = template.Library()
HISTORY_LIMIT = 20


@register.simple_tag
def guest_complaint_counts(guest):
    """Total, open and malicious complaints of the guest (one query), for the profile header."""
    return guest_complaint_summary(guest=guest)


@register.inclusion_tag("complaints/partials/guest_history.html", takes_context=True)
def guest_complaint_history(context, guest, summary=None):
    """The complaints tab; `summary` from guest_complaint_counts saves its query when the page has it."""
    hotel = context.get("active_hotel")
    return {
        "guest": guest,
        "complaints": list(complaints_for_guest(guest=guest, limit=HISTORY_LIMIT)),
        "summary": summary if summary is not None else guest_complaint_summary(guest=guest),
        "limit": HISTORY_LIMIT,
        "tz": hotel.time_zone if hotel is not None else "UTC",
        "request": context.get("request"),
    }
