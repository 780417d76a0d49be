"""A staff member's own notifications: the inbox, opening one, marking them read."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from hotelcrm.permissions import hotel_required
from notifications import selectors, services

PAGE_SIZE = 30


@require_GET
@hotel_required
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    rows = selectors.notifications_for_user(
        user=request.user, organization=request.organization, unread_only=unread_only
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@require_POST
@hotel_required
def notification_open(request, notification_id):
    notification = (
        selectors.notifications_for_user(user=request.user, organization=request.organization)
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        raise Http404
    services.notification_mark_read(
        user=request.user, organization=request.organization, notification_ids=[notification.pk]
    )
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("notifications:list")
    return redirect(target)


@require_POST
@hotel_required
def notification_mark_all_read(request):
    services.notification_mark_read(user=request.user, organization=request.organization)
    return redirect("notifications:list")
