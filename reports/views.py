from django.shortcuts import render
from django.utils import timezone

from guests.selectors import arrivals_on
from hotelcrm.models import Role
from hotelcrm.permissions import hotel_required
from reports.selectors import group_overview, hotel_overview


@hotel_required
def home(request):
    """Each role lands on what it needs first: arrivals for the desk, figures for managers."""
    hotel = request.hotel
    today = timezone.localdate(timezone=hotel.tz)
    context = {"today": today}
    if request.role == Role.GROUP_ADMIN:
        context["overview"] = group_overview(organization=request.organization, now=timezone.now())
        template = "reports/home_group_admin.html"
    elif request.role == Role.MANAGER:
        context["overview"] = hotel_overview(hotel=hotel, today=today)
        template = "reports/home_manager.html"
    else:
        context["arrivals"] = arrivals_on(hotel=hotel, day=today)[:200]
        template = "reports/home_front_desk.html" if request.role == Role.FRONT_DESK else "reports/home_guest_relations.html"
    return render(request, template, context)
