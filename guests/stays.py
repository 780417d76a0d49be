"""Stay services: create or change a stay in one transaction, audited, announcing the change.

Every change sends `hotelcrm.domain_events.stay_changed` inside the transaction, so loyalty
(points on checkout) and the other receivers commit or roll back with the stay itself.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guests.exceptions import GuestError
from guests.models import GuestProfile, Stay, StayStatus
from hotelcrm.audit import audit_record
from hotelcrm.domain_events import stay_changed

# Plain fields a PMS or a form may set on a stay, besides status, guest and dates.
STAY_DETAIL_FIELDS = (
    "room_number",
    "room_type",
    "rate_code",
    "channel",
    "room_revenue",
    "fb_revenue",
    "other_revenue",
    "adults",
    "children",
    "market_segment",
    "booked_at",
    "cancelled_at",
    "cancellation_reason",
)
REVENUE_FIELDS = ("room_revenue", "fb_revenue", "other_revenue")
COUNT_FIELDS = ("adults", "children")
TIME_FIELDS = ("booked_at", "cancelled_at")
MAX_PARTY = 99
# What a change of status from the UI may do; the PMS, being the source of truth, may set any.
UI_TRANSITIONS = {
    StayStatus.BOOKED: {StayStatus.IN_HOUSE, StayStatus.CANCELLED, StayStatus.NO_SHOW},
    StayStatus.IN_HOUSE: {StayStatus.CHECKED_OUT},
}


class StayError(GuestError):
    code = "stay_error"


def _clean_details(details):
    cleaned = {}
    for name, value in (details or {}).items():
        if name not in STAY_DETAIL_FIELDS:
            continue
        if name in REVENUE_FIELDS:
            try:
                value = Decimal(str(value if value not in (None, "") else 0)).quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                raise StayError(_("Revenue must be a number."), extra={"fields": {name: [_("Enter a number.")]}})
            if value < 0 or value >= Decimal("1e10"):
                raise StayError(
                    _("Revenue must be between 0 and 9,999,999,999.99."), extra={"fields": {name: [_("Out of range.")]}}
                )
        elif name in COUNT_FIELDS:
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PARTY
            ):
                raise StayError(
                    _("Give a number of guests from 0 to %(max)s.") % {"max": MAX_PARTY},
                    extra={"fields": {name: [_("Out of range.")]}},
                )
        elif name in TIME_FIELDS:
            if value is not None and (not isinstance(value, datetime.datetime) or timezone.is_naive(value)):
                raise StayError(
                    _("Give a time with its UTC offset."),
                    extra={"fields": {name: [_("Give a time with its UTC offset.")]}},
                )
        else:
            value = (value or "").strip()
        cleaned[name] = value
    return cleaned


def _lead_days(hotel, booked_at, arrival_on):
    """Days from the booking (its date in the hotel's zone) to the arrival; None without a booking time."""
    import zoneinfo

    if booked_at is None:
        return None
    try:
        zone = zoneinfo.ZoneInfo(hotel.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    return (arrival_on - booked_at.astimezone(zone).date()).days


def _years_from(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_stay_dates(arrival_on, departure_on):
    """Refuse stays no hotel has: longer than STAY_MAX_NIGHTS, or dated outside a window around
    today (a PMS's placeholder 1900-01-01 to 2100-12-31 would otherwise count 73,000 nights)."""
    nights = (departure_on - arrival_on).days
    if nights > settings.STAY_MAX_NIGHTS:
        message = _("A stay of %(nights)s nights is longer than the %(limit)s nights allowed.") % {
            "nights": nights,
            "limit": settings.STAY_MAX_NIGHTS,
        }
        raise StayError(message, extra={"fields": {"departure_on": [message]}})
    today = timezone.localdate()
    earliest, latest = _years_from(today, -settings.STAY_PAST_YEARS), _years_from(today, settings.STAY_FUTURE_YEARS)
    if arrival_on < earliest:
        message = _("An arrival before %(date)s is not plausible; check the year.") % {"date": earliest.isoformat()}
        raise StayError(message, extra={"fields": {"arrival_on": [message]}})
    if departure_on > latest:
        message = _("A departure after %(date)s is not plausible; check the year.") % {"date": latest.isoformat()}
        raise StayError(message, extra={"fields": {"departure_on": [message]}})


def stay_values_check(*, hotel, guest, arrival_on, departure_on, status, details=None):
    """The values a stay of `hotel` is to take, checked and cleaned (StayError when they cannot)."""
    if guest.organization_id != hotel.organization_id:
        raise StayError(_("This guest belongs to another organization."))
    if status not in StayStatus.values:
        raise StayError(_("Unknown stay status."))
    if not isinstance(arrival_on, datetime.date) or not isinstance(departure_on, datetime.date):
        raise StayError(_("Give the arrival and departure dates."))
    if departure_on < arrival_on:
        raise StayError(
            _("The departure cannot be before the arrival."),
            extra={"fields": {"departure_on": [_("The departure cannot be before the arrival.")]}},
        )
    _check_stay_dates(arrival_on, departure_on)
    values = {
        "guest": guest,
        "arrival_on": arrival_on,
        "departure_on": departure_on,
        "status": status,
        **_clean_details(details),
    }
    if "booked_at" in values:
        values["lead_days"] = _lead_days(hotel, values["booked_at"], arrival_on)
    return values


def stay_values_apply(stay, values):
    """Set checked `values` on `stay` in memory; returns the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if name == "guest":
            if stay.guest_id != value.pk:
                stay.guest = value
                changed.append(name)
        elif getattr(stay, name) != value:
            setattr(stay, name, value)
            changed.append(name)
    return changed


@transaction.atomic(savepoint=False)  # an error rolls back the caller's transaction or savepoint
def stay_upsert(
    *,
    hotel,
    guest,
    pms_reservation_id,
    arrival_on,
    departure_on,
    status,
    details=None,
    actor=None,
    actor_label="",
    source="api",
    request=None,
):
    """Create the stay of `pms_reservation_id` at `hotel`, or bring it to the given state.

    Returns (stay, created, changed_fields). Sends stay_changed when anything changed.
    """
    values = stay_values_check(
        hotel=hotel, guest=guest, arrival_on=arrival_on, departure_on=departure_on, status=status, details=details
    )
    # Two events of one reservation may arrive at once: the row lock makes the second wait and
    # compare against the first one's result.
    stay = Stay.objects.for_hotel(hotel).select_for_update().filter(pms_reservation_id=pms_reservation_id).first()
    created = stay is None
    previous_status = None if created else stay.status
    if created:
        stay = Stay(organization_id=hotel.organization_id, hotel=hotel, pms_reservation_id=pms_reservation_id, **values)
        changed = sorted(values)
    else:
        changed = stay_values_apply(stay, values)
    if not changed:
        return stay, False, []
    try:
        # The date order is checked above and the reservation is unique under the row lock, so the
        # constraint queries full_clean would add (two round trips per event) are skipped.
        stay.full_clean(exclude=["organization", "hotel", "guest"], validate_constraints=False)
    except ValidationError as error:
        raise StayError(_("The stay is not valid."), extra={"fields": error.message_dict})
    stay.save()
    audit_record(
        action="stay.create" if created else "stay.update",
        organization=hotel.organization,
        hotel=hotel,
        actor=actor,
        actor_label=actor_label,
        obj=stay,
        fields=changed,
        request=request,
        extra={"source": source, "status": stay.status, "previous_status": previous_status},
    )
    stay_changed.send(sender=Stay, stay=stay, previous_status=previous_status, actor=actor, source=source)
    return stay, created, changed


def stays_for_reservations_locked(*, hotel, reservation_ids):
    """The hotel's stays of these PMS reservations by reservation id, row-locked in id order
    (the order every batch locks in, so two batches cannot deadlock on them)."""
    stays = (
        Stay.objects.for_hotel(hotel)
        .select_for_update()
        .filter(pms_reservation_id__in=list(reservation_ids))
        .order_by("pk")
    )
    return {stay.pms_reservation_id: stay for stay in stays}


@transaction.atomic(savepoint=False)
def stays_save_many(
    *,
    hotel,
    new_stays,
    changed_stays,
    changed_fields,
    audits,
    changes,
    actor=None,
    actor_label="",
    source="api",
    request=None,
):
    """Write a batch of stays worked out in memory (stay_values_check / stay_values_apply) in bulk.

    new_stays are inserted and changed_stays updated (changed_fields: the union of what changed),
    then one audit event per change in `audits` (dicts with obj, created, fields, status,
    previous_status, object_repr: what stay_upsert records per call) and one stays_changed
    domain event for `changes` ((stay, status before the batch)). Callers hold the rows' locks.
    """
    from hotelcrm.audit import audit_record_many
    from hotelcrm.domain_events import stays_changed

    if new_stays:
        Stay.objects.bulk_create(new_stays)
    if changed_stays and changed_fields:
        Stay.objects.bulk_update(changed_stays, sorted(changed_fields))
    audit_record_many(
        [
            {
                "action": "stay.create" if a["created"] else "stay.update",
                "organization": hotel.organization,
                "hotel": hotel,
                "actor": actor,
                "actor_label": actor_label,
                "obj": a["obj"],
                "fields": a["fields"],
                "object_repr": a["object_repr"],
                "extra": {"source": source, "status": a["status"], "previous_status": a["previous_status"]},
            }
            for a in audits
        ],
        request=request,
    )
    if changes:
        stays_changed.send(sender=Stay, changes=changes, actor=actor, source=source)


@transaction.atomic
def stay_status_set(*, stay, status, actor, source="ui", request=None):
    """A staff member moves a stay on (check in, check out, cancel, no-show), within the allowed transitions."""
    locked = (
        Stay.objects.for_org(stay.organization_id)
        .select_for_update(of=("self",))
        .select_related("hotel__organization")
        .get(pk=stay.pk)
    )
    if status not in UI_TRANSITIONS.get(locked.status, set()):
        raise StayError(
            _("A stay that is %(status)s cannot be moved to that status.") % {"status": locked.get_status_display()}
        )
    previous_status = locked.status
    locked.status = status
    fields = ["status"]
    if status == StayStatus.CANCELLED:
        locked.cancelled_at = timezone.now()
        fields.append("cancelled_at")
    locked.save(update_fields=fields)
    audit_record(
        action="stay.update",
        organization=locked.hotel.organization,
        hotel=locked.hotel,
        actor=actor,
        obj=locked,
        fields=fields,
        request=request,
        extra={"source": source, "status": status, "previous_status": previous_status},
    )
    stay_changed.send(sender=Stay, stay=locked, previous_status=previous_status, actor=actor, source=source)
    return locked


def guest_resolve_merged(*, organization, guest):
    """The profile a merged guest now lives on (following chains), or the guest itself."""
    seen = set()
    while guest is not None and guest.merged_into_id and guest.pk not in seen and len(seen) < 20:
        seen.add(guest.pk)
        guest = GuestProfile.objects.for_org(organization).filter(pk=guest.merged_into_id).first()
    return guest
