"""Booking figures of the dashboard: cancellations, no-shows, lead time, party, segment and channel,
each against the previous period, read from the booking rollup; and the stays behind each figure."""

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from guests.models import Stay, StayStatus
from reports import rollups
from reports.models import BookingDailyRollup
from reports.selectors import UNKNOWN_LABEL, _change, _ratio, previous_period

BOOKING_SUMS = ("bookings", "cancelled", "no_shows")
BOOKING_DIMENSIONS = ("lead_time", "party", "segment", "channel")
LEAD_TIME_LABELS = {
    "0": _("Same day"),
    "1-7": _("1-7 days"),
    "8-30": _("8-30 days"),
    "31-90": _("31-90 days"),
    "91-180": _("91-180 days"),
    "181+": _("Over 180 days"),
}
PARTY_LABELS = {
    "single": _("One adult"),
    "couple": _("Two adults"),
    "group": _("Three adults or more"),
    "family": _("With children"),
}
# Buckets keep their natural order; segments and channels are sorted by size.
ORDERED = {"lead_time": rollups.LEAD_TIME_BUCKETS, "party": rollups.PARTY_BUCKETS}


def _label(dimension, value):
    if value in ("", "unknown", "--"):
        return UNKNOWN_LABEL
    return {"lead_time": LEAD_TIME_LABELS, "party": PARTY_LABELS}.get(dimension, {}).get(value, value)


def _figures(sums):
    figures = {f: sums.get(f) or 0 for f in (*BOOKING_SUMS, "cancellations_made")}
    figures["cancellation_rate"] = _ratio(figures["cancelled"], figures["bookings"])
    figures["no_show_rate"] = _ratio(figures["no_shows"], figures["bookings"] - figures["cancelled"])
    return figures


def booking_section(*, scope, start, end):
    """The period's and the previous period's booking figures, in total and per value of each
    dimension, in one query over the rollup."""
    prev_start, prev_end = previous_period(start, end)
    rows = (
        BookingDailyRollup.objects.for_org(scope.organization)
        .filter(
            hotel_id__in=scope.hotel_ids,
            day__range=(prev_start, end),
        )
        .values("dimension", "value")
        .annotate(
            **{f"cur_{f}": Sum(f, filter=Q(day__gte=start)) for f in BOOKING_SUMS},
            **{f"prev_{f}": Sum(f, filter=Q(day__lte=prev_end)) for f in BOOKING_SUMS},
        )
    )
    sums = {"current": {}, "previous": {}}
    by_dimension = {dimension: [] for dimension in BOOKING_DIMENSIONS}
    for row in rows:
        current = {f: row[f"cur_{f}"] or 0 for f in BOOKING_SUMS}
        previous = {f: row[f"prev_{f}"] or 0 for f in BOOKING_SUMS}
        if row["dimension"] == "total":
            sums["current"].update(current)
            sums["previous"].update(previous)
        elif row["dimension"] == "cancelled_on":
            sums["current"]["cancellations_made"] = current["cancelled"]
            sums["previous"]["cancellations_made"] = previous["cancelled"]
        elif row["dimension"] in by_dimension and (current["bookings"] or previous["bookings"]):
            by_dimension[row["dimension"]].append(
                {
                    "value": row["value"],
                    "label": _label(row["dimension"], row["value"]),
                    **current,
                    "cancellation_rate": _ratio(current["cancelled"], current["bookings"]),
                    "previous_bookings": previous["bookings"],
                    "change": _change(current["bookings"], previous["bookings"]),
                }
            )
    totals, previous = _figures(sums["current"]), _figures(sums["previous"])
    for dimension, values in by_dimension.items():
        order = ORDERED.get(dimension)
        if order:
            values.sort(key=lambda r, order=order: order.index(r["value"]) if r["value"] in order else len(order))
        else:
            values.sort(key=lambda r: (-r["bookings"], r["value"]))
        top = max((r["bookings"] for r in values), default=0) or 1
        for r in values:
            r["share"] = _ratio(r["bookings"], totals["bookings"])
            r["bar"] = round(100 * r["bookings"] / top)
    changes = {f: _change(totals[f], previous[f]) for f in (*BOOKING_SUMS, "cancellations_made")}
    changes["cancellation_rate"] = (
        None
        if totals["cancellation_rate"] is None or previous["cancellation_rate"] is None
        else round(totals["cancellation_rate"] - previous["cancellation_rate"], 1)
    )
    return {"totals": totals, "previous": previous, "changes": changes, "by_dimension": by_dimension}


def _bucket_q(dimension, value):
    if dimension == "lead_time":
        if value == "unknown":
            return Q(lead_days__isnull=True)
        bounds = {
            "0": (None, 0),
            "1-7": (1, 7),
            "8-30": (8, 30),
            "31-90": (31, 90),
            "91-180": (91, 180),
            "181+": (181, None),
        }
        low, high = bounds.get(value, (0, -1))
        q = Q(lead_days__isnull=False)
        if low is not None:
            q &= Q(lead_days__gte=low)
        if high is not None:
            q &= Q(lead_days__lte=high)
        return q
    if dimension == "party":
        if value == "unknown":
            return Q(adults__isnull=True)
        family = Q(adults__isnull=False, children__gt=0)
        no_children = Q(adults__isnull=False) & (Q(children__isnull=True) | Q(children=0))
        return {
            "family": family,
            "single": no_children & Q(adults__lte=1),
            "couple": no_children & Q(adults=2),
            "group": no_children & Q(adults__gte=3),
        }.get(value, Q(pk__in=[]))
    field = "market_segment" if dimension == "segment" else "channel"
    return Q(**{field: "" if value == "--" else value})


def booking_drill(*, scope, start, end, dimension="total", value=""):
    """The stays behind a booking figure: arriving in the period (cancelled and no-show too), or
    for `cancelled_on`, cancelled during the period in each hotel's own zone."""
    stays = Stay.objects.for_org(scope.organization).filter(hotel_id__in=scope.hotel_ids)
    if dimension == "cancelled_on":
        window = Q(pk__in=[])
        for hotel in scope.hotels:
            start_at, end_at = rollups._local_bounds(hotel.tz, start, end)
            window |= Q(hotel_id=hotel.pk, cancelled_at__gte=start_at, cancelled_at__lt=end_at)
        stays = stays.filter(window, status=StayStatus.CANCELLED)
    else:
        stays = stays.filter(arrival_on__range=(start, end))
        if dimension == "cancelled":
            stays = stays.filter(status=StayStatus.CANCELLED)
        elif dimension == "no_show":
            stays = stays.filter(status=StayStatus.NO_SHOW)
        elif dimension in BOOKING_DIMENSIONS:
            stays = stays.filter(_bucket_q(dimension, value))
    return stays.select_related("guest", "hotel").order_by("-arrival_on", "-pk")
