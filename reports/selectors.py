from django.db.models import Count, Q

from guests.models import GuestProfile, Stay, StayStatus
from hotelcrm.models import Hotel, Membership


def hotel_overview(*, hotel, today):
    stays = Stay.objects.for_hotel(hotel)
    live = ~Q(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
    counts = stays.aggregate(
        arrivals_today=Count("pk", filter=Q(arrival_on=today) & live),
        in_house=Count("pk", filter=Q(status=StayStatus.IN_HOUSE)),
        stays_this_month=Count("pk", filter=Q(arrival_on__year=today.year, arrival_on__month=today.month) & live),
    )
    counts["staff"] = Membership.objects.for_org(hotel.organization_id).filter(hotel=hotel).count()
    return counts


def group_overview(*, organization, today):
    """One row per hotel of the organization, from one grouped query."""
    per_hotel = {
        row["hotel_id"]: row
        for row in Stay.objects.for_org(organization)
        .values("hotel_id")
        .annotate(
            arrivals_today=Count("pk", filter=Q(arrival_on=today) & ~Q(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])),
            in_house=Count("pk", filter=Q(status=StayStatus.IN_HOUSE)),
            stays_total=Count("pk"),
        )
    }
    hotels = []
    for hotel in Hotel.objects.for_org(organization).order_by("name"):
        row = per_hotel.get(hotel.pk, {})
        hotels.append({"hotel": hotel, "arrivals_today": row.get("arrivals_today", 0), "in_house": row.get("in_house", 0), "stays_total": row.get("stays_total", 0)})
    return {"hotels": hotels, "guests": GuestProfile.objects.for_org(organization).count()}
