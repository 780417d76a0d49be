"""The loyalty column of the arrivals briefing (guests.selectors_briefing extension): one query."""

from loyalty.selectors import tiers_for_guests


def briefing_tiers(*, hotel, day, rows):
    guest_ids = [row.guest_id for row in rows if row.guest_id]
    if not guest_ids:
        return
    memberships = tiers_for_guests(organization=hotel.organization_id, guest_ids=guest_ids)
    for row in rows:
        membership = memberships.get(row.guest_id) if row.guest_id else None
        if membership is not None:
            row.tier = membership.tier.name
