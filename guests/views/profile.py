from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from guests import selectors
from hotelcrm.permissions import hotel_required


@hotel_required
def guest_list(request):
    query = request.GET.get("q", "")[:100]
    guests = selectors.guest_search(organization=request.organization, query=query)
    page = Paginator(guests, 50).get_page(request.GET.get("page"))
    template = "guests/partials/guest_rows.html" if request.headers.get("HX-Request") else "guests/guest_list.html"
    return render(request, template, {"page": page, "query": query})


@hotel_required
def guest_detail(request, guest_id):
    guest = selectors.guest_get(organization=request.organization, guest_id=guest_id)
    if guest is None:
        raise Http404
    context = {
        "guest": guest,
        "stays": selectors.guest_stays(guest=guest)[:100],
        "summary": selectors.guest_stay_summary(guest=guest),
    }
    return render(request, "guests/guest_detail.html", context)
