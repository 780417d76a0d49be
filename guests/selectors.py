from django.db.models import Count, Max, Sum

from guests.models import GuestProfile, Stay, StayStatus, fold_for_search


def guest_search(*, organization, query=""):
    """Guests of the organization whose name (either script, any case or accent) contains `query`."""
    guests = GuestProfile.objects.for_org(organization)
    folded = fold_for_search(query.strip())
    if folded:
        guests = guests.filter(search_name__contains=folded)
    return guests.order_by("family_name", "given_name", "pk")


def guest_get(*, organization, guest_id):
    return GuestProfile.objects.for_org(organization).filter(pk=guest_id).first()


def guest_stays(*, guest):
    return (
        Stay.objects.for_org(guest.organization_id)
        .filter(guest=guest)
        .select_related("hotel")
        .order_by("-arrival_on", "-pk")
    )


def guest_stay_summary(*, guest):
    completed = Stay.objects.for_org(guest.organization_id).filter(guest=guest, status=StayStatus.CHECKED_OUT)
    totals = completed.aggregate(
        stays=Count("pk"), last_departure=Max("departure_on"),
        room=Sum("room_revenue"), fb=Sum("fb_revenue"), other=Sum("other_revenue"),
    )
    totals["spend"] = sum(v or 0 for v in (totals.pop("room"), totals.pop("fb"), totals.pop("other")))
    return totals


def arrivals_on(*, hotel, day):
    return (
        Stay.objects.for_hotel(hotel)
        .filter(arrival_on=day)
        .exclude(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
        .select_related("guest")
        .order_by("room_number", "pk")
    )


def guests_by_contact(*, organization, kind, raw_value):
    """Guests with this phone or email, exactly (through the blind index). Invalid input finds none."""
    from django.core.exceptions import ValidationError

    from guests.models import GuestContact
    from guests.services import contact_blind_index

    try:
        _normalised, index = contact_blind_index(kind, raw_value)
    except ValidationError:
        return GuestProfile.objects.none()
    guest_ids = GuestContact.objects.for_org(organization).filter(kind=kind, blind_index=index).values("guest_id")
    return GuestProfile.objects.for_org(organization).filter(pk__in=guest_ids)


def guests_by_document(*, organization, document_type, raw_number):
    from django.core.exceptions import ValidationError

    from guests.services import document_blind_index

    try:
        _normalised, index = document_blind_index(document_type, raw_number)
    except ValidationError:
        return GuestProfile.objects.none()
    return GuestProfile.objects.for_org(organization).filter(document_blind_index=index)
