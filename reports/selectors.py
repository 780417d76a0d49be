import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DateField, Exists, F, Func, OuterRef, Q, Sum, Value
from django.db.models.functions import ExtractYear, Left, Lower, Trim, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guests.models import Gender, GuestProfile, GuestType, Stay, StayStatus
from hotelcrm.models import ROLE_RANK, Hotel, Membership, Role
from reports import rollups
from reports.models import (
    CareDailyRollup,
    ComplaintDailyRollup,
    GuestRfm,
    LoyaltyDailyRollup,
    RfmSegmentCount,
    RollupDirtyDay,
    StayDailyRollup,
    SurveyDailyRollup,
    TierCount,
)

DEAD = [StayStatus.CANCELLED, StayStatus.NO_SHOW]
MAX_PERIOD_DAYS = 732

RFM_SEGMENTS = {
    "champions": _("Champions"),
    "loyal": _("Loyal"),
    "new": _("New"),
    "promising": _("Promising"),
    "at_risk": _("At risk"),
    "hibernating": _("Hibernating"),
    "needs_attention": _("Needs attention"),
}


UNKNOWN_LABEL = _("Not recorded")
STAY_VALUE_LABELS = {"guest_type": dict(GuestType.choices), "gender": dict(Gender.choices)}


def _complaint_value_labels():
    from complaints.models import Category, Channel, Severity

    return {"category": dict(Category.choices), "channel": dict(Channel.choices), "severity": dict(Severity.choices)}


def _country_label(code):
    try:
        # The core's country names (django-countries, translated), from the design-system work of issue 18.
        from hotelcrm.labels import country_name
    except ImportError:
        return code
    return country_name(code) or code


def _label(labels, dimension, value):
    if value in ("", "unknown", "--"):
        return UNKNOWN_LABEL
    if dimension == "nationality":
        return _country_label(value)
    return labels.get(dimension, {}).get(value, value)


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
            arrivals_today=Count(
                "pk", filter=arriving_today & ~Q(status__in=[StayStatus.CANCELLED, StayStatus.NO_SHOW])
            ),
            in_house=Count("pk", filter=Q(status=StayStatus.IN_HOUSE)),
            stays_total=Count("pk"),
        )
    }
    rows = []
    for hotel in hotels:
        row = per_hotel.get(hotel.pk, {})
        rows.append(
            {
                "hotel": hotel,
                "today": today_by_hotel[hotel.pk],
                "arrivals_today": row.get("arrivals_today", 0),
                "in_house": row.get("in_house", 0),
                "stays_total": row.get("stays_total", 0),
            }
        )
    busiest = max((row["stays_total"] for row in rows), default=0) or 1
    for row in rows:
        row["stays_share"] = round(120 * row["stays_total"] / busiest)  # bar width in px, busiest = 120
    return {"hotels": rows, "guests": GuestProfile.objects.for_org(organization).count()}


# --- Scope: which hotels a report covers --------------------------------------------------------


@dataclass
class Scope:
    organization: object
    hotels: list
    is_group: bool
    hotel: object  # the active hotel (for a group scope: where the request came from)

    @property
    def label(self):
        return self.organization.name if self.is_group else self.hotel.name

    @property
    def hotel_ids(self):
        return [hotel.pk for hotel in self.hotels]

    @property
    def currency(self):
        return self.organization.currency if self.is_group else self.hotel.currency

    @property
    def rfm_hotel(self):
        return None if self.is_group else self.hotel

    @classmethod
    def from_request(cls, request, *, group):
        """The active hotel, or the whole organization for a group admin who asks for it."""
        if group and request.role == Role.GROUP_ADMIN:
            return cls(
                request.organization,
                list(Hotel.objects.for_org(request.organization).order_by("name")),
                True,
                request.hotel,
            )
        return cls(request.organization, [request.hotel], False, request.hotel)

    @classmethod
    def for_subscription(cls, subscription):
        """The scope a subscriber may still see, or None if their role no longer allows it."""
        roles = set(
            Membership.objects.for_org(subscription.organization_id)
            .filter(user=subscription.user)
            .values_list("role", flat=True)
        )
        best = max((ROLE_RANK[Role(role)] for role in roles), default=0)
        hotel = subscription.hotel
        if subscription.is_group:
            if Role.GROUP_ADMIN not in roles:
                return None
            return cls(
                hotel.organization, list(Hotel.objects.for_org(hotel.organization).order_by("name")), True, hotel
            )
        at_hotel = (
            Membership.objects.for_org(subscription.organization_id)
            .filter(user=subscription.user, hotel=hotel)
            .values_list("role", flat=True)
        )
        if Role.GROUP_ADMIN not in roles and not any(ROLE_RANK[Role(r)] >= ROLE_RANK[Role.MANAGER] for r in at_hotel):
            return None
        if best < ROLE_RANK[Role.MANAGER]:
            return None
        return cls(hotel.organization, [hotel], False, hotel)


def previous_period(start, end):
    length = (end - start).days + 1
    return start - datetime.timedelta(days=length), start - datetime.timedelta(days=1)


def _ratio(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _change(current, previous):
    if previous in (None, 0) or current is None:
        return None
    return round(100 * (current - previous) / previous, 1)


def is_bucketed_by_month(start, end):
    """Trends of a period longer than a quarter are summed by month, shorter ones by day."""
    return (end - start).days > 92


_bucket_by_month = is_bucketed_by_month


# --- Guests and stays ---------------------------------------------------------------------------

STAY_SUMS = ("arrivals", "new_guests", "nights", "room_revenue", "fb_revenue", "other_revenue")


def stay_section(*, scope, start, end):
    """Guest and stay figures for the period and the previous one: two queries over the rollup."""
    prev_start, prev_end = previous_period(start, end)
    # The breakdowns only for this period; the previous period needs only its totals row.
    rows = (
        StayDailyRollup.objects.for_org(scope.organization)
        .filter(
            hotel_id__in=scope.hotel_ids,
            day__range=(start, end),
            dimension__in=["guest_type", "gender", "nationality", "age_band"],
        )
        .values("dimension", "value")
        .annotate(**{f"cur_{f}": Sum(f) for f in STAY_SUMS})
    )
    rows = list(rows) + list(
        StayDailyRollup.objects.for_org(scope.organization)
        .filter(
            hotel_id__in=scope.hotel_ids,
            day__range=(prev_start, end),
            dimension="total",
        )
        .values("dimension", "value")
        .annotate(
            **{f"cur_{f}": Sum(f, filter=Q(day__gte=start)) for f in STAY_SUMS},
            **{f"prev_{f}": Sum(f, filter=Q(day__lte=prev_end)) for f in STAY_SUMS},
        )
    )
    totals = {"current": dict.fromkeys(STAY_SUMS, 0), "previous": dict.fromkeys(STAY_SUMS, 0)}
    by_dimension = {"guest_type": [], "gender": [], "nationality": [], "age_band": []}
    for row in rows:
        current = {f: row[f"cur_{f}"] or 0 for f in STAY_SUMS}
        if row["dimension"] == "total":
            totals["current"] = current
            totals["previous"] = {f: row[f"prev_{f}"] or 0 for f in STAY_SUMS}
        elif current["arrivals"]:
            by_dimension[row["dimension"]].append(
                {
                    "value": row["value"],
                    "arrivals": current["arrivals"],
                    "label": _label(STAY_VALUE_LABELS, row["dimension"], row["value"]),
                    "new_guests": current["new_guests"],
                    "nights": current["nights"],
                }
            )
    for values in by_dimension.values():
        values.sort(key=lambda r: (-r["arrivals"], r["value"]))
        top = max((r["arrivals"] for r in values), default=0) or 1
        for r in values:
            r["share"] = _ratio(r["arrivals"], totals["current"]["arrivals"])
            r["bar"] = round(100 * r["arrivals"] / top)
    for key in ("current", "previous"):
        t = totals[key]
        t["revenue"] = (t["room_revenue"] or 0) + (t["fb_revenue"] or 0) + (t["other_revenue"] or 0)
        t["returning"] = t["arrivals"] - t["new_guests"]
        t["repeat_rate"] = _ratio(t["returning"], t["arrivals"])
    changes = {
        f: _change(totals["current"][f], totals["previous"][f])
        for f in ("arrivals", "new_guests", "returning", "nights", "revenue", "repeat_rate")
    }
    trend_qs = StayDailyRollup.objects.for_org(scope.organization).filter(
        hotel_id__in=scope.hotel_ids, day__range=(start, end), dimension="total"
    )
    if _bucket_by_month(start, end):
        trend_qs = trend_qs.annotate(bucket=TruncMonth("day"))
    else:
        trend_qs = trend_qs.annotate(bucket=F("day"))
    trend = list(
        trend_qs.values("bucket").annotate(arrivals=Sum("arrivals"), new_guests=Sum("new_guests")).order_by("bucket")
    )
    for point in trend:
        if isinstance(point["bucket"], datetime.datetime):
            point["bucket"] = point["bucket"].date()
    return {
        "totals": totals["current"],
        "previous": totals["previous"],
        "changes": changes,
        "by_dimension": by_dimension,
        "trend": trend,
    }


# --- Complaints --------------------------------------------------------------------------------

COMPLAINT_SUMS = (
    "received",
    "acknowledged",
    "acknowledge_minutes",
    "resolved",
    "resolve_minutes",
    "resolved_on_time",
    "rated",
    "satisfaction_sum",
    "reopened",
    "justified",
)


def _complaint_figures(sums):
    return {
        **sums,
        "acknowledge_avg_minutes": round(sums["acknowledge_minutes"] / sums["acknowledged"])
        if sums["acknowledged"]
        else None,
        "resolve_avg_hours": round(sums["resolve_minutes"] / sums["resolved"] / 60, 1) if sums["resolved"] else None,
        "sla_rate": _ratio(sums["resolved_on_time"], sums["resolved"]),
        "satisfaction_avg": round(sums["satisfaction_sum"] / sums["rated"], 2) if sums["rated"] else None,
        "reopen_rate": _ratio(sums["reopened"], sums["received"]),
    }


DURATION_DIMENSIONS = ("ack_minutes", "resolve_minutes")
TOP_ROOT_CAUSES = 10


def _median_bucket(histogram):
    """The lower median of a {bucket lower bound: count} histogram (the middle complaint's bucket)."""
    n = sum(histogram.values())
    if not n:
        return None
    rank, seen = (n + 1) // 2, 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return bucket
    return None


def complaint_section(*, scope, start, end, now=None):
    if not rollups.has_complaints():
        return None
    from complaints.models import OPEN_STATUSES, Complaint

    labels = _complaint_value_labels()
    prev_start, prev_end = previous_period(start, end)
    rows = list(
        ComplaintDailyRollup.objects.for_org(scope.organization)
        .filter(
            hotel_id__in=scope.hotel_ids,
            day__range=(start, end),
            dimension__in=["category", "department", "channel", "severity", "root_cause", "satisfaction"],
        )
        .values("dimension", "value")
        .annotate(**{f"cur_{f}": Sum(f) for f in COMPLAINT_SUMS})
    )
    rows += list(
        ComplaintDailyRollup.objects.for_org(scope.organization)
        .filter(
            hotel_id__in=scope.hotel_ids,
            day__range=(prev_start, end),
            dimension__in=["total", *DURATION_DIMENSIONS],
        )
        .values("dimension", "value")
        .annotate(
            **{f"cur_{f}": Sum(f, filter=Q(day__gte=start)) for f in COMPLAINT_SUMS},
            **{f"prev_{f}": Sum(f, filter=Q(day__lte=prev_end)) for f in COMPLAINT_SUMS},
        )
    )
    current = previous = dict.fromkeys(COMPLAINT_SUMS, 0)
    by_dimension = {
        "category": [],
        "department": [],
        "channel": [],
        "severity": [],
        "root_cause": [],
        "satisfaction": [],
    }
    # {period: {dimension: {bucket: count}}}; "acknowledged" counts the ack histogram, "resolved" the other.
    histograms = {key: {d: {} for d in DURATION_DIMENSIONS} for key in ("cur", "prev")}
    for row in rows:
        cur = {f: row[f"cur_{f}"] or 0 for f in COMPLAINT_SUMS}
        if row["dimension"] == "total":
            current, previous = cur, {f: row[f"prev_{f}"] or 0 for f in COMPLAINT_SUMS}
        elif row["dimension"] in DURATION_DIMENSIONS:
            if row["value"] == "":
                continue
            counted = "acknowledged" if row["dimension"] == "ack_minutes" else "resolved"
            for key in ("cur", "prev"):
                if row[f"{key}_{counted}"]:
                    histograms[key][row["dimension"]][int(row["value"])] = row[f"{key}_{counted}"]
        elif cur["received"]:
            if row["dimension"] == "root_cause" and row["value"] == "":
                continue  # no root cause written: not a cause
            by_dimension[row["dimension"]].append(
                {
                    "value": row["value"],
                    "label": _label(labels, row["dimension"], row["value"]),
                    **_complaint_figures(cur),
                }
            )
    for dimension, values in by_dimension.items():
        if dimension == "satisfaction":
            values.sort(key=lambda r: r["value"] or "9")  # 1..5, then not rated
        else:
            values.sort(key=lambda r: (-r["received"], r["value"]))
        top = max((r["received"] for r in values), default=0) or 1
        for r in values:
            r["bar"] = round(100 * r["received"] / top)
    now = now or timezone.now()
    # Open and breached "now" are live figures, read through the open-queue partial index.
    live = (
        Complaint.objects.for_org(scope.organization)
        .filter(hotel_id__in=scope.hotel_ids, status__in=OPEN_STATUSES)
        .aggregate(open=Count("pk"), breached=Count("pk", filter=Q(resolve_due_at__lt=now)))
    )
    trend_qs = ComplaintDailyRollup.objects.for_org(scope.organization).filter(
        hotel_id__in=scope.hotel_ids, day__range=(start, end), dimension="total"
    )
    trend_qs = (
        trend_qs.annotate(bucket=TruncMonth("day"))
        if _bucket_by_month(start, end)
        else trend_qs.annotate(bucket=F("day"))
    )
    trend = list(trend_qs.values("bucket").annotate(received=Sum("received")).order_by("bucket"))
    for point in trend:
        if isinstance(point["bucket"], datetime.datetime):
            point["bucket"] = point["bucket"].date()
    cur_fig, prev_fig = _complaint_figures(current), _complaint_figures(previous)
    for figures, key in ((cur_fig, "cur"), (prev_fig, "prev")):
        figures["acknowledge_median_minutes"] = _median_bucket(histograms[key]["ack_minutes"])
        resolve = _median_bucket(histograms[key]["resolve_minutes"])
        figures["resolve_median_hours"] = round(resolve / 60, 1) if resolve is not None else None
    return {
        "totals": cur_fig,
        "previous": prev_fig,
        "live": live,
        "by_dimension": by_dimension,
        "trend": trend,
        "top_root_causes": by_dimension["root_cause"][:TOP_ROOT_CAUSES],
        "changes": {f: _change(cur_fig[f], prev_fig[f]) for f in ("received", "sla_rate", "satisfaction_avg")},
    }


# --- Loyalty -----------------------------------------------------------------------------------


def loyalty_section(*, scope, start, end):
    if not rollups.has_loyalty():
        return None
    hotel_filter = Q(hotel_id__in=scope.hotel_ids) | (Q(hotel__isnull=True) if scope.is_group else Q(pk__in=[]))
    prev_start, prev_end = previous_period(start, end)
    rows = (
        LoyaltyDailyRollup.objects.for_org(scope.organization)
        .filter(hotel_filter, day__range=(prev_start, end))
        .values("kind")
        .annotate(
            cur=Sum("points", filter=Q(day__gte=start)),
            prev=Sum("points", filter=Q(day__lte=prev_end)),
            entries=Sum("entries", filter=Q(day__gte=start)),
        )
    )
    by_kind = {row["kind"]: row for row in rows}

    def points(kind, key="cur"):
        return abs((by_kind.get(kind) or {}).get(key) or 0)

    section = {
        "issued": points("earn"),
        "redeemed": points("redeem"),
        "expired": points("expire"),
        "previous": {
            "issued": points("earn", "prev"),
            "redeemed": points("redeem", "prev"),
            "expired": points("expire", "prev"),
        },
    }
    section["top_rewards"] = top_rewards(scope=scope, start=start, end=end)
    if scope.is_group:
        # Points are organization-wide: the outstanding liability is every entry ever booked.
        section["outstanding"] = (
            LoyaltyDailyRollup.objects.for_org(scope.organization).aggregate(total=Sum("points"))["total"] or 0
        )
        # Counted nightly (TierCount): counting a million memberships here cost 0.6 s a view.
        section["tiers"] = list(
            TierCount.objects.for_org(scope.organization)
            .order_by("tier_rank")
            .values("tier_code", "tier_name", "members", "as_of")
        )
    return section


TOP_REWARDS = 10


def _local_window(scope, field, start, end):
    """Rows whose `field` falls on local days start..end of their own hotel (one index range per hotel)."""
    window = Q(pk__in=[])
    for hotel in scope.hotels:
        start_at, end_at = rollups._local_bounds(hotel.tz, start, end)
        window |= Q(hotel_id=hotel.pk, **{f"{field}__gte": start_at, f"{field}__lt": end_at})
    return window


def reward_orders(*, scope, start, end):
    """Redemption orders placed in the period at the scope's hotels, cancelled (refunded) ones left out."""
    from loyalty.models import RedemptionOrder

    return (
        RedemptionOrder.objects.for_org(scope.organization)
        .filter(_local_window(scope, "placed_at", start, end))
        .exclude(status="cancelled")
    )


def ledger_entries(*, scope, start, end, kind):
    """The ledger entries behind points issued / redeemed / expired: of `kind`, whose business date
    (loyalty.models.LedgerEntry.business_on) falls in the period, at the scope's hotels; for the
    group also the entries of no hotel (as the loyalty rollup counts them)."""
    from loyalty.models import LedgerEntry

    hotels = Q(hotel_id__in=scope.hotel_ids) | (Q(hotel__isnull=True) if scope.is_group else Q(pk__in=[]))
    return LedgerEntry.objects.for_org(scope.organization).filter(hotels, business_on__range=(start, end), kind=kind)


def top_rewards(*, scope, start, end):
    """The most ordered rewards of the period (orders are few next to the ledger: read raw, one grouped query)."""
    rows = list(
        reward_orders(scope=scope, start=start, end=end)
        .values("reward_id", "reward__name")
        .annotate(orders=Count("pk"), quantity=Sum("quantity"), points=Sum("points"))
        .order_by("-quantity", "-orders", "reward__name")[:TOP_REWARDS]
    )
    top = max((r["quantity"] for r in rows), default=0) or 1
    for r in rows:
        r["bar"] = round(100 * r["quantity"] / top)
    return rows


def call_tasks_due(*, scope, start, end):
    """Call tasks due on a day of the period at the scope's hotels, cancelled ones left out."""
    from care.models import CallTask

    return (
        CallTask.objects.for_org(scope.organization)
        .filter(hotel_id__in=scope.hotel_ids, due_on__range=(start, end))
        .exclude(status="cancelled")
    )


class LocalDate(Func):
    """(instant AT TIME ZONE hotel's zone)::date: the hotel's own date of a timestamp."""

    arg_joiner = " AT TIME ZONE "
    template = "((%(expressions)s)::date)"
    output_field = DateField()


def _done_on_time_q():
    return Q(status="done", completed_at__isnull=False, completed_local__lte=F("due_on"))


def call_task_figures(*, scope, start, end):
    """Call tasks due in the period: how many, done, done by their due day (the hotel's local date)."""
    counts = (
        call_tasks_due(scope=scope, start=start, end=end)
        .annotate(completed_local=LocalDate(F("completed_at"), F("hotel__time_zone")))
        .aggregate(
            due=Count("pk"), done=Count("pk", filter=Q(status="done")), on_time=Count("pk", filter=_done_on_time_q())
        )
    )
    counts["late_or_open"] = counts["due"] - counts["on_time"]
    counts["on_time_rate"] = _ratio(counts["on_time"], counts["due"])
    return counts


def call_task_drill(*, scope, start, end, show=""):
    tasks = call_tasks_due(scope=scope, start=start, end=end).annotate(
        completed_local=LocalDate(F("completed_at"), F("hotel__time_zone"))
    )
    if show == "on_time":
        tasks = tasks.filter(_done_on_time_q())
    elif show == "late":
        tasks = tasks.exclude(_done_on_time_q())
    return tasks.select_related("guest", "hotel", "assigned_to", "completed_by").order_by("due_on", "pk")


# --- Staff ---------------------------------------------------------------------------------------

# What a complete profile has: checked per guest, averaged per relationship owner.
PROFILE_FIELDS = ("nationality", "gender", "birth_year", "guest_type", "preferred_language", "contact")


def _profile_filled():
    from guests.models import GuestContact

    has_contact = Exists(
        GuestContact.objects.filter(organization_id=OuterRef("organization_id"), guest_id=OuterRef("pk"))
    )
    return {
        "nationality": ~Q(nationality=""),
        "gender": ~Q(gender__in=["", "unknown"]),
        "birth_year": Q(birth_decade__isnull=False),
        "guest_type": ~Q(guest_type=""),
        "preferred_language": ~Q(preferred_language=""),
        "contact": Q(has_contact=True),
    }, has_contact


def profile_field_labels():
    return {
        "nationality": _("Nationality"),
        "gender": _("Gender"),
        "birth_year": _("Birth year"),
        "guest_type": _("Guest type"),
        "preferred_language": _("Preferred language"),
        "contact": _("Phone or email"),
    }


def owned_guests(*, scope, owner_id):
    """Live guest profiles whose relationship owner is `owner_id` (profiles are organization-wide)."""
    _filled, has_contact = _profile_filled()
    return (
        GuestProfile.objects.for_org(scope.organization)
        .filter(relationship_owner_id=owner_id, merged_into__isnull=True, is_anonymised=False)
        .annotate(has_contact=has_contact)
    )


def handled_complaints(*, scope, start, end, user_id=None):
    """Complaints resolved on a local day of the period, by the person they were assigned to."""
    from complaints.models import Complaint

    rows = (
        Complaint.objects.for_org(scope.organization)
        .filter(_local_window(scope, "resolved_at", start, end))
        .exclude(status="cancelled")
    )
    return rows.filter(assignee_id=user_id) if user_id is not None else rows


def staff_section(*, scope, start, end):
    """Per staff member of the scope's hotels: complaints resolved and on time, guests owned and their profiles' completeness."""
    from django.contrib.auth import get_user_model

    staff_ids = set(
        Membership.objects.for_org(scope.organization)
        .filter(hotel_id__in=scope.hotel_ids)
        .values_list("user_id", flat=True)
    )
    handled = {}
    if rollups.has_complaints():
        handled = {
            row["assignee_id"]: row
            for row in handled_complaints(scope=scope, start=start, end=end)
            .filter(assignee_id__in=staff_ids)
            .values("assignee_id")
            .annotate(handled=Count("pk"), on_time=Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))))
            .order_by()
        }
    filled, has_contact = _profile_filled()
    owned = {
        row["relationship_owner_id"]: row
        for row in GuestProfile.objects.for_org(scope.organization)
        .filter(relationship_owner_id__in=staff_ids, merged_into__isnull=True, is_anonymised=False)
        .annotate(has_contact=has_contact)
        .values("relationship_owner_id")
        .annotate(guests=Count("pk"), **{f"has_{f}": Count("pk", filter=q) for f, q in filled.items()})
        .order_by()
    }
    users = get_user_model().objects.filter(pk__in=set(handled) | set(owned)).order_by("username")
    rows = []
    for user in users:
        h, o = handled.get(user.pk, {}), owned.get(user.pk, {})
        guests = o.get("guests", 0)
        filled_cells = sum(o.get(f"has_{f}", 0) for f in PROFILE_FIELDS)
        rows.append(
            {
                "user_id": user.pk,
                "name": user.get_full_name() or user.get_username(),
                "handled": h.get("handled", 0),
                "on_time": h.get("on_time", 0),
                "on_time_rate": _ratio(h.get("on_time", 0), h.get("handled", 0)),
                "guests": guests,
                "completeness": _ratio(filled_cells, guests * len(PROFILE_FIELDS)),
                "missing": {f: guests - o.get(f"has_{f}", 0) for f in PROFILE_FIELDS},
            }
        )
    rows.sort(key=lambda r: (-r["handled"], -r["guests"], r["name"]))
    return {"rows": rows, "fields": PROFILE_FIELDS}


# --- Care ------------------------------------------------------------------------------------

CARE_SUMS = ("deliveries", "sent", "failed", "skipped", "responses", "csat_sum", "promoters", "detractors")


def _care_figures(sums):
    return {
        **sums,
        "response_rate": _ratio(sums["responses"], sums["sent"]),
        "csat_avg": round(sums["csat_sum"] / sums["responses"], 2) if sums["responses"] else None,
        "nps": round(100 * (sums["promoters"] - sums["detractors"]) / sums["responses"]) if sums["responses"] else None,
    }


def care_section(*, scope, start, end):
    if not rollups.has_care():
        return None
    from care.models import Campaign, Channel

    channel_labels = dict(Channel.choices)
    prev_start, prev_end = previous_period(start, end)
    base = CareDailyRollup.objects.for_org(scope.organization).filter(hotel_id__in=scope.hotel_ids)
    rows = list(
        base.filter(day__range=(start, end))
        .values("campaign_id_value", "channel")
        .annotate(**{f: Sum(f) for f in CARE_SUMS})
        .order_by("campaign_id_value", "channel")
    )
    previous = base.filter(day__range=(prev_start, prev_end)).aggregate(**{f: Sum(f) for f in CARE_SUMS})
    names = dict(
        Campaign.objects.for_org(scope.organization)
        .filter(pk__in={r["campaign_id_value"] for r in rows})
        .values_list("pk", "name")
    )
    totals = dict.fromkeys(CARE_SUMS, 0)
    campaigns = []
    for row in rows:
        for f in CARE_SUMS:
            totals[f] += row[f] or 0
        campaigns.append(
            {
                "campaign": names.get(row["campaign_id_value"], "#{}".format(row["campaign_id_value"])),
                "channel": row["channel"],
                "channel_label": channel_labels.get(row["channel"], row["channel"]),
                **_care_figures({f: row[f] or 0 for f in CARE_SUMS}),
            }
        )
    return {
        "totals": _care_figures(totals),
        "previous": _care_figures({f: previous[f] or 0 for f in CARE_SUMS}),
        "campaigns": campaigns,
        "calls": call_task_figures(scope=scope, start=start, end=end),
        "calls_previous": call_task_figures(scope=scope, start=prev_start, end=prev_end),
    }


# --- Satisfaction (survey answers) ----------------------------------------------------------------

VERBATIM_COMMENTS = 10
HAS_TEXT = "[^[:space:]]"  # a comment with at least one non-blank character (same test as the rollup)


def _nps(promoters, detractors, responses):
    return round(100 * (promoters - detractors) / responses) if responses else None


def _survey_window(scope, start, end):
    """Answers given on local days start..end of each hotel of the scope."""
    window = Q(pk__in=[])
    for hotel in scope.hotels:
        start_at, end_at = rollups._local_bounds(hotel.tz, start, end)
        window |= Q(hotel_id=hotel.pk, created_at__gte=start_at, created_at__lt=end_at)
    return window


def satisfaction_section(*, scope, start, end):
    """CSAT and NPS of the answers given in the period: totals, distributions, trend (rollup) and the latest comments."""
    if not rollups.has_care():
        return None
    from care.models import SurveyResponse

    prev_start, prev_end = previous_period(start, end)
    base = SurveyDailyRollup.objects.for_org(scope.organization).filter(hotel_id__in=scope.hotel_ids)
    pairs = list(
        base.filter(day__range=(prev_start, end))
        .values("csat", "nps")
        .annotate(
            cur=Sum("responses", filter=Q(day__gte=start)),
            prev=Sum("responses", filter=Q(day__lte=prev_end)),
            comments=Sum("comments", filter=Q(day__gte=start)),
        )
    )
    totals = {key: {"responses": 0, "csat_sum": 0, "promoters": 0, "detractors": 0} for key in ("cur", "prev")}
    csat, nps, comments = dict.fromkeys(range(1, 6), 0), dict.fromkeys(range(0, 11), 0), 0
    for row in pairs:
        for key in ("cur", "prev"):
            n = row[key] or 0
            t = totals[key]
            t["responses"] += n
            t["csat_sum"] += n * row["csat"]
            t["promoters"] += n if row["nps"] >= 9 else 0
            t["detractors"] += n if row["nps"] <= 6 else 0
        csat[row["csat"]] += row["cur"] or 0
        nps[row["nps"]] += row["cur"] or 0
        comments += row["comments"] or 0

    def figures(t):
        return {
            **t,
            "csat_avg": round(t["csat_sum"] / t["responses"], 2) if t["responses"] else None,
            "nps": _nps(t["promoters"], t["detractors"], t["responses"]),
        }

    current, previous = figures(totals["cur"]), figures(totals["prev"])
    current["comments"] = comments

    def distribution(counts):
        top = max(counts.values(), default=0) or 1
        return [
            {"value": v, "responses": n, "share": _ratio(n, current["responses"]), "bar": round(100 * n / top)}
            for v, n in counts.items()
        ]

    trend_qs = base.filter(day__range=(start, end))
    trend_qs = (
        trend_qs.annotate(bucket=TruncMonth("day"))
        if _bucket_by_month(start, end)
        else trend_qs.annotate(bucket=F("day"))
    )
    # "answers", not "responses": an alias named like the column would shadow it inside csat * responses.
    trend = list(
        trend_qs.values("bucket")
        .annotate(
            answers=Sum("responses"),
            csat_sum=Sum(F("csat") * F("responses")),
            promoters=Sum("responses", filter=Q(nps__gte=9)),
            detractors=Sum("responses", filter=Q(nps__lte=6)),
        )
        .order_by("bucket")
    )
    for point in trend:
        point["responses"] = point.pop("answers")
        if isinstance(point["bucket"], datetime.datetime):
            point["bucket"] = point["bucket"].date()
        point["csat_avg"] = round(point["csat_sum"] / point["responses"], 2) if point["responses"] else None
        point["nps"] = _nps(point["promoters"] or 0, point["detractors"] or 0, point["responses"])
    latest = list(
        SurveyResponse.objects.for_org(scope.organization)
        .filter(_survey_window(scope, start, end), comment__regex=HAS_TEXT)
        .select_related("guest", "hotel")
        .order_by("-created_at", "-pk")[:VERBATIM_COMMENTS]
    )
    return {
        "totals": current,
        "previous": previous,
        "csat": distribution(csat),
        "nps": distribution(nps),
        "trend": trend,
        "comments": latest,
        "changes": {f: _change(current[f], previous[f]) for f in ("responses", "csat_avg", "nps")},
    }


def survey_drill(*, scope, start, end, csat=None, nps=None, with_comment=False):
    from care.models import SurveyResponse

    answers = SurveyResponse.objects.for_org(scope.organization).filter(_survey_window(scope, start, end))
    if csat is not None:
        answers = answers.filter(csat=csat)
    if nps is not None:
        answers = answers.filter(nps=nps)
    if with_comment:
        answers = answers.filter(comment__regex=HAS_TEXT)
    return answers.select_related("guest", "hotel").order_by("-created_at", "-pk")


# --- RFM ---------------------------------------------------------------------------------------


def rfm_section(*, scope):
    rows = list(
        RfmSegmentCount.objects.for_org(scope.organization)
        .filter(hotel=scope.rfm_hotel)
        .values("segment", "guests", "revenue", "as_of")
    )
    total = sum(r["guests"] for r in rows)
    by_segment = {r["segment"]: r for r in rows}
    segments = []
    for code, label in RFM_SEGMENTS.items():
        row = by_segment.get(code, {"guests": 0, "revenue": Decimal(0)})
        segments.append(
            {
                "code": code,
                "label": label,
                "guests": row["guests"],
                "revenue": row["revenue"],
                "share": _ratio(row["guests"], total),
            }
        )
    return {"segments": segments, "total": total, "as_of": rows[0]["as_of"] if rows else None}


def rfm_guest_list(*, scope, segment):
    return (
        GuestRfm.objects.for_org(scope.organization)
        .filter(hotel=scope.rfm_hotel, segment=segment)
        .select_related("guest")
        .order_by("-revenue", "guest_id")
    )


# --- Churn watch list (care's nightly scoring) ----------------------------------------------------

CHURN_NEW_DAYS = 7
CHURN_TREND_RUNS = 30


CHURN_FIGURES_SQL = """
WITH watched AS (
    SELECT o.reasons, o.watch_since FROM care_churnscore o
    WHERE o.organization_id = %(org)s AND o.on_watch
      AND (%(group)s OR EXISTS (SELECT 1 FROM guests_stay s WHERE s.organization_id = o.organization_id
                                AND s.guest_id = o.guest_id AND s.hotel_id = ANY(%(hotels)s)))
)
SELECT NULL, count(*), count(*) FILTER (WHERE watch_since >= %(since)s) FROM watched
UNION ALL
SELECT reason->>0, count(*), 0 FROM watched, jsonb_array_elements(watched.reasons) reason GROUP BY 1
"""


def churn_section(*, scope, end):
    """Watch-list size, newcomers of the last week and the reasons now (one query: the rows the
    care watch list shows, for the group or for guests who stayed at the scope's hotels); for the
    group, its nightly movement (one more)."""
    if not rollups.has_care():
        return None
    from django.db import connection

    from care.models import ChurnReason, ChurnRun

    # The list as it stands now (not a period figure), counted as the care watch list counts it.
    since = timezone.localdate() - datetime.timedelta(days=CHURN_NEW_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            CHURN_FIGURES_SQL,
            {"org": scope.organization.pk, "group": scope.is_group, "hotels": scope.hotel_ids, "since": since},
        )
        rows = cursor.fetchall()
    size = joined = 0
    labels = dict(ChurnReason.choices)
    reasons = []
    for code, count, newcomers in rows:
        if code is None:
            size, joined = count, newcomers
        else:
            reasons.append((labels.get(code, code), count))
    reasons.sort(key=lambda item: (-item[1], str(item[0])))
    runs = []
    if scope.is_group:
        runs = list(
            reversed(
                ChurnRun.objects.for_org(scope.organization)
                .filter(local_date__lte=end)
                .order_by("-local_date")[:CHURN_TREND_RUNS]
            )
        )
    return {
        "size": size,
        "joined": joined,
        "reasons": reasons,
        "trend": [
            {"bucket": run.local_date, "on_watch": run.on_watch, "entered": run.entered, "left": run.left}
            for run in runs
        ],
        "latest": runs[-1] if runs else None,
    }


def rollups_pending(*, scope, start, end):
    """How many hotel-days in start..end (this scope's hotels, and the group's own for a group) have
    writes the rollups do not show yet: the refresh job recomputes them within a few minutes."""
    hotels = Q(hotel_id__in=scope.hotel_ids) | (Q(hotel__isnull=True) if scope.is_group else Q(pk__in=[]))
    return (
        RollupDirtyDay.objects.for_org(scope.organization)
        .filter(hotels, day__range=(start, end))
        .values("hotel_id", "day")
        .distinct()
        .count()
    )


def dashboard_summary(*, scope, start, end, now=None):
    return {
        "pending_days": rollups_pending(scope=scope, start=previous_period(start, end)[0], end=end),
        "stays": stay_section(scope=scope, start=start, end=end),
        "complaints": complaint_section(scope=scope, start=start, end=end, now=now),
        "loyalty": loyalty_section(scope=scope, start=start, end=end),
        "care": care_section(scope=scope, start=start, end=end),
        "satisfaction": satisfaction_section(scope=scope, start=start, end=end),
        "staff": staff_section(scope=scope, start=start, end=end),
        "rfm": rfm_section(scope=scope),
        "churn": churn_section(scope=scope, end=end),
    }


# --- Drill-downs: the rows behind a number --------------------------------------------------------


def _age_q(band):
    """Stays whose guest's age at arrival (reports.rollups.AGE_SQL: from the decade of birth) falls in `band`."""
    bounds = {
        "0-24": (None, 25),
        "25-34": (25, 35),
        "35-44": (35, 45),
        "45-54": (45, 55),
        "55-64": (55, 65),
        "65+": (65, None),
    }
    if band == "unknown":
        return Q(guest__birth_decade__isnull=True)
    low, high = bounds[band]
    q = Q(guest__birth_decade__isnull=False)
    if low is not None:
        q &= Q(age__gte=low)
    if high is not None:
        q &= Q(age__lt=high)
    return q


def stay_drill(*, scope, start, end, dimension="total", value="", only_new=False):
    stays = (
        Stay.objects.for_org(scope.organization)
        .filter(hotel_id__in=scope.hotel_ids, arrival_on__range=(start, end))
        .exclude(status__in=DEAD)
    )
    if dimension == "guest_type":
        stays = stays.filter(guest__guest_type__in=["", "unknown"] if value == "unknown" else [value])
    elif dimension == "gender":
        stays = stays.filter(guest__gender__in=["", "unknown"] if value == "unknown" else [value])
    elif dimension == "nationality":
        stays = stays.filter(guest__nationality="" if value == "--" else value)
    elif dimension == "age_band":
        stays = stays.annotate(age=ExtractYear("arrival_on") - F("guest__birth_decade") - 5).filter(_age_q(value))
    if only_new:
        earlier = (
            Stay.objects.for_org(scope.organization)
            .filter(guest_id=OuterRef("guest_id"))
            .exclude(status__in=DEAD)
            .filter(
                Q(arrival_on__lt=OuterRef("arrival_on")) | Q(arrival_on=OuterRef("arrival_on"), pk__lt=OuterRef("pk"))
            )
        )
        stays = stays.filter(~Exists(earlier))
    return stays.select_related("guest", "hotel").order_by("-arrival_on", "-pk")


def complaint_drill(*, scope, start, end, dimension="total", value="", handled_by=None):
    from complaints.models import Complaint

    if handled_by is not None:  # the staff section: resolved in the period by this person
        return (
            handled_complaints(scope=scope, start=start, end=end, user_id=handled_by)
            .select_related("guest", "hotel", "department")
            .order_by("-resolved_at", "-pk")
        )
    window = Q(pk__in=[])
    for hotel in scope.hotels:
        start_at, end_at = rollups._local_bounds(hotel.tz, start, end)
        window |= Q(hotel_id=hotel.pk, received_at__gte=start_at, received_at__lt=end_at)
    complaints = Complaint.objects.for_org(scope.organization).filter(window).exclude(status="cancelled")
    if dimension == "department":
        complaints = (
            complaints.filter(department__isnull=True) if value == "" else complaints.filter(department__name=value)
        )
    elif dimension == "root_cause":
        complaints = complaints.annotate(
            root_cause_key=Left(
                Lower(
                    Trim(
                        Func(F("root_cause"), Value("[[:space:]]+"), Value(" "), Value("g"), function="regexp_replace")
                    )
                ),
                100,
            )
        )
        complaints = complaints.filter(root_cause_key=value) if value else complaints.filter(root_cause_key="")
    elif dimension == "satisfaction":
        rating = int(value) if value.isdigit() else None
        complaints = (
            complaints.filter(satisfaction=rating)
            if rating is not None
            else complaints.filter(satisfaction__isnull=True)
        )
    elif dimension in ("category", "channel", "severity"):
        complaints = complaints.filter(**{dimension: value})
    return complaints.select_related("guest", "hotel", "department").order_by("-received_at", "-pk")
