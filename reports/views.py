import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guests.access import openable_profile_ids
from guests.selectors import arrivals_on
from hotelcrm.exceptions import ApplicationError
from hotelcrm.models import Membership, Role
from hotelcrm.permissions import hotel_required, role_required
from reports import exports, selectors, selectors_bookings, services
from reports.charts import dashboard_charts
from reports.forms import (
    BookingDrillForm,
    CallDrillForm,
    ComplaintDrillForm,
    LedgerDrillForm,
    OwnerForm,
    PeriodForm,
    RewardDrillForm,
    SegmentForm,
    StayDrillForm,
    SubscriptionForm,
    SurveyDrillForm,
)
from reports.models import ReportSubscription
from reports.selectors import Scope, group_overview, hotel_overview

PAGE_SIZE = 50


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
        template = (
            "reports/home_front_desk.html" if request.role == Role.FRONT_DESK else "reports/home_guest_relations.html"
        )
    return render(request, template, context)


def _period(request, form_class):
    form = form_class(request.GET or None, today=timezone.localdate(timezone=request.hotel.tz))
    if not request.GET:
        form = form_class({"period": "30d"}, today=form.today)
    return form


def _query(form, **extra):
    """The query string of the same period (and scope) plus `extra`, for links to the rows behind a number."""
    data = {"start": form.cleaned_data["start"].isoformat(), "end": form.cleaned_data["end"].isoformat()}
    if form.cleaned_data.get("group"):
        data["group"] = "1"
    data.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(data)


def _bad_period(request, form, template="reports/dashboard.html"):
    return render(
        request,
        template,
        {
            "form": form,
            "errors": form.non_field_errors()
            or [f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()],
        },
        status=400,
    )


@role_required(Role.MANAGER)
def dashboard(request):
    form = _period(request, PeriodForm)
    if not form.is_valid():
        return _bad_period(request, form)
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    summary = selectors.dashboard_summary(scope=scope, start=start, end=end)
    fmt = request.GET.get("format")
    if fmt:
        return _export(
            request,
            "dashboard",
            fmt,
            exports.dashboard_tables(summary, scope=scope, start=start, end=end),
            {"start": str(start), "end": str(end), "group": scope.is_group},
        )
    prev_start, prev_end = selectors.previous_period(start, end)
    comments = summary["satisfaction"]["comments"] if summary.get("satisfaction") else []
    names = _masked_names(request, list({r.guest_id: r.guest for r in comments}.values())) if comments else {}
    return render(
        request,
        "reports/dashboard.html",
        {
            "bookings": selectors_bookings.booking_section(scope=scope, start=start, end=end),
            "booking_dimensions": [
                ("lead_time", _("By lead time")),
                ("party", _("By party")),
                ("segment", _("By market segment")),
                ("channel", _("By booking channel")),
            ],
            "charts": dashboard_charts(summary, monthly=selectors.is_bucketed_by_month(start, end)),
            "comment_rows": [(r, names[r.guest_id]) for r in comments],
            "form": form,
            "scope": scope,
            "summary": summary,
            "start": start,
            "end": end,
            "prev_start": prev_start,
            "prev_end": prev_end,
            "q": _query(form),
            "is_group_admin": request.role == Role.GROUP_ADMIN,
            "stay_dimensions": [
                ("guest_type", _("By guest type")),
                ("nationality", _("By nationality")),
                ("age_band", _("By age band")),
                ("gender", _("By gender")),
            ],
            "complaint_dimensions": [
                ("category", _("By category")),
                ("department", _("By department")),
                ("channel", _("By channel")),
                ("severity", _("By severity")),
            ],
        },
    )


def _export(request, report, fmt, tables, extra):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    services.report_export_record(request=request, report=report, fmt=fmt, extra=extra)
    return exports.response(tables, fmt, filename=f"{report}-{timezone.localdate(timezone=request.hotel.tz):%Y%m%d}")


def _masked_names(request, guests):
    openable = openable_profile_ids(request=request, guests=guests)
    return {guest.pk: guest.display_name if guest.pk in openable else _("Confidential guest") for guest in guests}


@role_required(Role.MANAGER)
def stay_list(request):
    form = _period(request, StayDrillForm)
    if not form.is_valid():
        return _bad_period(request, form, "reports/stay_list.html")
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    data = form.cleaned_data
    stays = selectors.stay_drill(
        scope=scope,
        start=data["start"],
        end=data["end"],
        dimension=data["dimension"] or "total",
        value=data["value"],
        only_new=data["new"],
    )
    if request.GET.get("format"):
        rows = list(stays[: exports.MAX_ROWS])
        names = _masked_names(request, list({s.guest_id: s.guest for s in rows}.values()))
        table = exports.Table(
            _("Stays"),
            [_("Hotel"), _("Guest"), _("Arrival"), _("Departure"), _("Nights"), _("Status"), _("Revenue")],
            [
                [
                    s.hotel.name,
                    names[s.guest_id],
                    s.arrival_on,
                    s.departure_on,
                    s.nights,
                    s.get_status_display(),
                    s.total_revenue,
                ]
                for s in rows
            ],
        )
        return _export(request, "stays", request.GET["format"], [table], {"filters": _query(form)})
    page = Paginator(stays, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _masked_names(request, list({s.guest_id: s.guest for s in page}.values()))
    rows = [(stay, names[stay.guest_id]) for stay in page]
    return render(
        request,
        "reports/stay_list.html",
        {
            "form": form,
            "scope": scope,
            "page": page,
            "rows": rows,
            "q": _query(form, dimension=data["dimension"], value=data["value"], new="1" if data["new"] else ""),
        },
    )


@role_required(Role.MANAGER)
def booking_list(request):
    """The reservations behind a booking figure (cancelled and no-show included), in the stays table."""
    form = _period(request, BookingDrillForm)
    if not form.is_valid():
        return _bad_period(request, form, "reports/stay_list.html")
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    data = form.cleaned_data
    stays = selectors_bookings.booking_drill(
        scope=scope, start=data["start"], end=data["end"], dimension=data["dimension"] or "total", value=data["value"]
    )
    page = Paginator(stays, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _masked_names(request, list({s.guest_id: s.guest for s in page}.values()))
    rows = [(stay, names[stay.guest_id]) for stay in page]
    return render(
        request,
        "reports/stay_list.html",
        {
            "form": form,
            "scope": scope,
            "page": page,
            "rows": rows,
            "q": _query(form, dimension=data["dimension"], value=data["value"]),
        },
    )


@role_required(Role.MANAGER)
def complaint_list(request):
    if not selectors.rollups.has_complaints():
        raise Http404
    form = _period(request, ComplaintDrillForm)
    if not form.is_valid():
        return _bad_period(request, form, "reports/complaint_list.html")
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    data = form.cleaned_data
    complaints = selectors.complaint_drill(
        scope=scope,
        start=data["start"],
        end=data["end"],
        dimension=data["dimension"] or "total",
        value=data["value"],
        handled_by=data["handled_by"],
    )
    if request.GET.get("format"):
        rows = list(complaints[: exports.MAX_ROWS])
        table = exports.Table(
            _("Complaints"),
            [_("Number"), _("Hotel"), _("Received"), _("Category"), _("Department"), _("Status")],
            [
                [
                    c.pk,
                    c.hotel.name,
                    timezone.localtime(c.received_at, c.hotel.tz),
                    c.get_category_display(),
                    c.department.name if c.department else "",
                    c.get_status_display(),
                ]
                for c in rows
            ],
        )
        return _export(request, "complaints", request.GET["format"], [table], {"filters": _query(form)})
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/complaint_list.html",
        {
            "form": form,
            "scope": scope,
            "page": page,
            "q": _query(form, dimension=data["dimension"], value=data["value"], handled_by=data["handled_by"]),
        },
    )


@role_required(Role.MANAGER)
def survey_list(request):
    """The survey answers behind a satisfaction figure (a score, or the answers with a comment)."""
    if not selectors.rollups.has_care():
        raise Http404
    form = _period(request, SurveyDrillForm)
    if not form.is_valid():
        return _bad_period(request, form, "reports/survey_list.html")
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    data = form.cleaned_data
    answers = selectors.survey_drill(
        scope=scope,
        start=data["start"],
        end=data["end"],
        csat=data["csat"],
        nps=data["nps"],
        with_comment=data["comments"],
    )
    q = _query(form, csat=data["csat"], nps=data["nps"], comments="1" if data["comments"] else "")
    if request.GET.get("format"):
        rows = list(answers[: exports.MAX_ROWS])
        names = _masked_names(request, list({r.guest_id: r.guest for r in rows}.values()))
        table = exports.Table(
            _("Survey answers"),
            [_("Hotel"), _("Answered"), _("Guest"), _("CSAT (1-5)"), _("NPS score (0-10)"), _("Comment")],
            [
                [
                    r.hotel.name,
                    timezone.localtime(r.created_at, r.hotel.tz),
                    names[r.guest_id],
                    r.csat,
                    r.nps,
                    r.comment,
                ]
                for r in rows
            ],
        )
        return _export(request, "surveys", request.GET["format"], [table], {"filters": q})
    page = Paginator(answers, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _masked_names(request, list({r.guest_id: r.guest for r in page}.values()))
    return render(
        request,
        "reports/survey_list.html",
        {"form": form, "scope": scope, "page": page, "q": q, "rows": [(r, names[r.guest_id]) for r in page]},
    )


def _rows_page(request, *, report, title, headers, queryset, to_row, form, q, guest_of):
    """A paginated (or exported) list of the rows behind one figure, guests' names masked as the viewer may see them."""
    if request.GET.get("format"):
        rows = list(queryset[: exports.MAX_ROWS])
        names = _masked_names(request, list({guest_of(r).pk: guest_of(r) for r in rows}.values()))
        return _export(
            request,
            report,
            request.GET["format"],
            [exports.Table(title, headers, [to_row(r, names) for r in rows])],
            {"filters": q},
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _masked_names(request, list({guest_of(r).pk: guest_of(r) for r in page}.values()))
    return render(
        request,
        "reports/rows_list.html",
        {
            "form": form,
            "title": title,
            "headers": headers,
            "page": page,
            "q": q,
            "rows": [to_row(r, names) for r in page],
        },
    )


@role_required(Role.MANAGER)
def reward_order_list(request):
    """The redemption orders behind the top-rewards table."""
    if not selectors.rollups.has_loyalty():
        raise Http404
    form = _period(request, RewardDrillForm)
    if not form.is_valid():
        return _bad_period(request, form, "reports/rows_list.html")
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    data = form.cleaned_data
    orders = selectors.reward_orders(scope=scope, start=data["start"], end=data["end"])
    if data["reward"]:
        orders = orders.filter(reward_id=data["reward"])
    orders = orders.select_related("reward", "hotel", "membership__guest").order_by("-placed_at", "-pk")
    return _rows_page(
        request,
        report="reward-orders",
        title=_("Reward orders"),
        form=form,
        q=_query(form, reward=data["reward"]),
        headers=[_("Hotel"), _("Placed"), _("Guest"), _("Reward"), _("Quantity"), _("Points"), _("Status")],
        queryset=orders,
        guest_of=lambda o: o.membership.guest,
        to_row=lambda o, names: [
            o.hotel.name,
            timezone.localtime(o.placed_at, o.hotel.tz),
            names[o.membership.guest_id],
            o.reward.name,
            o.quantity,
            o.points,
            o.get_status_display(),
        ],
    )


@role_required(Role.MANAGER)
def ledger_entry_list(request):
    """The ledger entries behind points issued, redeemed or expired."""
    if not selectors.rollups.has_loyalty():
        raise Http404
    form = _period(request, LedgerDrillForm)
    if not form.is_valid():
        return _bad_period(request, form, "reports/rows_list.html")
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    data = form.cleaned_data
    entries = (
        selectors.ledger_entries(scope=scope, start=data["start"], end=data["end"], kind=data["kind"])
        .select_related("hotel", "membership__guest")
        .order_by("-business_on", "-pk")
    )
    title = dict(form.fields["kind"].choices)[data["kind"]]
    return _rows_page(
        request,
        report="ledger-entries",
        title=title,
        form=form,
        q=_query(form, kind=data["kind"]),
        headers=[
            _("Hotel"),
            _("Business date"),
            _("Recorded"),
            _("Guest"),
            _("Member number"),
            _("Points"),
            _("Reason"),
        ],
        queryset=entries,
        guest_of=lambda e: e.membership.guest,
        to_row=lambda e, names: [
            e.hotel.name if e.hotel else "",
            e.business_on,
            timezone.localtime(e.created_at, e.hotel.tz if e.hotel else datetime.UTC),
            names[e.membership.guest_id],
            e.membership.member_number,
            e.points,
            e.reason or e.get_source_type_display(),
        ],
    )


@role_required(Role.MANAGER)
def call_task_list(request):
    """The call tasks behind "done on time"."""
    if not selectors.rollups.has_care():
        raise Http404
    form = _period(request, CallDrillForm)
    if not form.is_valid():
        return _bad_period(request, form, "reports/rows_list.html")
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    data = form.cleaned_data
    tasks = selectors.call_task_drill(scope=scope, start=data["start"], end=data["end"], show=data["show"])
    return _rows_page(
        request,
        report="calls",
        title=_("Call tasks"),
        form=form,
        q=_query(form, show=data["show"]),
        headers=[_("Hotel"), _("Due"), _("Guest"), _("Reason"), _("Assigned to"), _("Status"), _("Completed")],
        queryset=tasks,
        guest_of=lambda t: t.guest,
        to_row=lambda t, names: [
            t.hotel.name,
            t.due_on,
            names[t.guest_id],
            t.get_reason_display(),
            t.assigned_to.get_username() if t.assigned_to else "",
            t.get_status_display(),
            timezone.localtime(t.completed_at, t.hotel.tz) if t.completed_at else "",
        ],
    )


@role_required(Role.MANAGER)
def owned_guest_list(request):
    """The guests a staff member owns, with what their profiles lack."""
    form = OwnerForm(request.GET)
    if not form.is_valid():
        return render(
            request, "reports/rows_list.html", {"errors": [_("Choose a staff member from the dashboard.")]}, status=400
        )
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    if (
        not Membership.objects.for_org(scope.organization)
        .filter(hotel_id__in=scope.hotel_ids, user_id=form.cleaned_data["owner"])
        .exists()
    ):
        raise Http404  # not staff of this scope: the same answer as an unknown id
    guests = selectors.owned_guests(scope=scope, owner_id=form.cleaned_data["owner"]).order_by(
        "family_name", "given_name", "pk"
    )
    labels = selectors.profile_field_labels()

    def missing(g):
        present = {
            "nationality": bool(g.nationality),
            "gender": g.gender not in ("", "unknown"),
            "birth_year": g.birth_decade is not None,
            "guest_type": bool(g.guest_type),
            "preferred_language": bool(g.preferred_language),
            "contact": g.has_contact,
        }
        return ", ".join(str(labels[f]) for f in selectors.PROFILE_FIELDS if not present[f])

    q = urlencode({"owner": form.cleaned_data["owner"], **({"group": "1"} if scope.is_group else {})})
    return _rows_page(
        request,
        report="owned-guests",
        title=_("Guests owned"),
        form=None,
        q=q,
        queryset=guests,
        headers=[_("Guest"), _("Missing")],
        guest_of=lambda g: g,
        to_row=lambda g, names: [names[g.pk], missing(g)],
    )


@role_required(Role.MANAGER)
def segment_list(request):
    form = SegmentForm(request.GET)
    if not form.is_valid():
        return render(
            request, "reports/segment_list.html", {"errors": [_("Choose one of the listed segments.")]}, status=400
        )
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    segment = form.cleaned_data["segment"]
    guests = selectors.rfm_guest_list(scope=scope, segment=segment)
    label = selectors.RFM_SEGMENTS[segment]
    if request.GET.get("format"):
        rows = list(guests[: exports.MAX_ROWS])
        names = _masked_names(request, [r.guest for r in rows])
        table = exports.Table(
            label,
            [_("Guest"), _("Last departure"), _("Stays"), _("Revenue"), _("R"), _("F"), _("M")],
            [
                [names[r.guest_id], r.last_departure_on, r.stays, r.revenue, r.recency, r.frequency, r.monetary]
                for r in rows
            ],
        )
        return _export(
            request, "segment", request.GET["format"], [table], {"segment": segment, "group": scope.is_group}
        )
    page = Paginator(guests, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _masked_names(request, [r.guest for r in page])
    q = urlencode({"segment": segment, **({"group": "1"} if scope.is_group else {})})
    return render(
        request,
        "reports/segment_list.html",
        {
            "scope": scope,
            "page": page,
            "segment": segment,
            "label": label,
            "rows": [(r, names[r.guest_id]) for r in page],
            "q": q,
        },
    )


@require_POST
@role_required(Role.MANAGER)
def segment_to_care(request):
    """Save the segment's guests as a care segment, then open a new campaign to greet them."""
    from django.core.exceptions import ValidationError

    form = SegmentForm(request.POST)
    if not form.is_valid():
        return render(
            request, "reports/segment_list.html", {"errors": [_("Choose one of the listed segments.")]}, status=400
        )
    scope = Scope.from_request(request, group=form.cleaned_data["group"])
    segment = form.cleaned_data["segment"]
    back = (
        reverse("reports:segment") + "?" + urlencode({"segment": segment, **({"group": "1"} if scope.is_group else {})})
    )
    try:
        saved = services.rfm_segment_to_care(scope=scope, segment=segment, actor=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request,
        _("Saved as the care segment “%(name)s” (%(count)s guests): choose it in a one-off campaign.")
        % {"name": saved.name, "count": len(saved.filters["guest_ids"])},
    )
    return redirect("care:campaign-create")


@role_required(Role.MANAGER)
def subscriptions(request):
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            is_group = form.cleaned_data["group"] and request.role == Role.GROUP_ADMIN
            try:
                services.subscription_create(
                    user=request.user,
                    hotel=request.hotel,
                    frequency=form.cleaned_data["frequency"],
                    is_group=is_group,
                    request=request,
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("Subscribed. The summary will be emailed to %(email)s.") % {"email": request.user.email or "-"},
                )
                return redirect("reports:subscriptions")
    else:
        form = SubscriptionForm()
    mine = (
        ReportSubscription.objects.for_org(request.organization)
        .filter(user=request.user, is_active=True)
        .select_related("hotel")
    )
    return render(
        request,
        "reports/subscriptions.html",
        {"form": form, "subscriptions": mine, "is_group_admin": request.role == Role.GROUP_ADMIN},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(Role.MANAGER)
def subscription_cancel(request, subscription_id):
    subscription = get_object_or_404(
        ReportSubscription.objects.for_org(request.organization).filter(user=request.user), pk=subscription_id
    )
    services.subscription_cancel(subscription=subscription, actor=request.user, request=request)
    messages.success(request, _("Subscription cancelled."))
    return redirect("reports:subscriptions")
