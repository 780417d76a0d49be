from django.db.models import Count, Q
from django.utils import timezone

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


def group_overview(*, organization, now):
    """One row per hotel of the organization from one grouped query; "today" is each hotel's own date."""
    hotels = list(Hotel.objects.for_org(organization).order_by("name"))
    today_by_hotel = {hotel.pk: timezone.localdate(now, timezone=hotel.tz) for hotel in hotels}
    arriving_today = Q(pk__in=[])
    for hotel_id, day in today_by_hotel.items():
        arriving_today |= Q(hotel_id=hotel_id, arrival_on=day)
    per_hotel = {
        row["hotel_id"]: row
        for row in Stay.objects.for_org(organization)
        .values("hotel_id")
        .annotate(
            arrivals_today=Count("pk", filter=arriving_today & ~Q(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])),
            in_house=Count("pk", filter=Q(status=StayStatus.IN_HOUSE)),
            stays_total=Count("pk"),
        )
    }
    rows = []
    for hotel in hotels:
        row = per_hotel.get(hotel.pk, {})
        rows.append({
            "hotel": hotel,
            "today": today_by_hotel[hotel.pk],
            "arrivals_today": row.get("arrivals_today", 0),
            "in_house": row.get("in_house", 0),
            "stays_total": row.get("stays_total", 0),
        })
    busiest = max((row["stays_total"] for row in rows), default=0) or 1
    for row in rows:
        row["stays_share"] = round(120 * row["stays_total"] / busiest)  # bar width in px, busiest = 120
    return {"hotels": rows, "guests": GuestProfile.objects.for_org(organization).count()}
