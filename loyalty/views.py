"""Loyalty pages: members and statements, enrol, award / redeem / adjust at the front desk,
the rewards catalog, redemption orders, adjustment approvals and program settings."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import modelformset_factory
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guests.access import openable_profile_ids
from guests.selectors import guest_get
from hotelcrm.models import Hotel, Role
from hotelcrm.permissions import has_role_at_least, role_required
from loyalty import forms, selectors, services
from loyalty.exceptions import LoyaltyError
from loyalty.models import AdjustmentRequest, RedemptionOrder, Reward, Tier

STATEMENT_PAGE = 50
LIST_PAGE = 50


def _membership_or_404(request, membership_id):
    membership = selectors.membership_get(organization=request.organization, membership_id=membership_id)
    if membership is None:
        raise Http404
    return membership


def _without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _ctx(request):
    return {"actor": request.user, "request": request, "hotel": request.hotel}


def _mask(request, memberships):
    """Confidential guests' names are hidden from staff who may not open the profile (one query)."""
    guests = [m.guest for m in memberships]
    openable = openable_profile_ids(request=request, guests=guests)
    for m in memberships:
        m.guest_is_openable = m.guest_id in openable
    return memberships


@require_GET
@role_required(Role.FRONT_DESK)
def member_list(request):
    query = request.GET.get("q", "")[:60]
    tier = request.GET.get("tier", "")[:30]
    rows = selectors.membership_list(organization=request.organization, query=query, tier_code=tier)
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
    page.object_list = _mask(request, list(page.object_list))
    return render(
        request,
        "loyalty/member_list.html",
        {
            "page": page,
            "query": query,
            "tier": tier,
            "tiers": selectors.tiers_of(organization=request.organization),
            "filter_query": _without_page(request),
        },
    )


@require_GET
@role_required(Role.FRONT_DESK)
def member_detail(request, membership_id):
    membership = _membership_or_404(request, membership_id)
    if membership.merged_into_id:
        return redirect("loyalty:member", membership_id=membership.merged_into_id)
    _mask(request, [membership])
    filters = forms.StatementFilterForm(request.GET or None)
    kinds = date_from = date_to = None
    if filters.is_valid():
        kinds = [filters.cleaned_data["kind"]] if filters.cleaned_data["kind"] else None
        date_from, date_to = filters.cleaned_data["date_from"], filters.cleaned_data["date_to"]
    statement = selectors.member_statement(
        membership=membership, kinds=kinds, date_from=date_from, date_to=date_to, tz=request.hotel.tz
    )
    page = Paginator(statement, STATEMENT_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "loyalty/member_detail.html",
        {
            "membership": membership,
            "page": page,
            "filters": filters,
            "filter_query": _without_page(request),
            "orders": list(selectors.member_orders(membership=membership)[:10]),
        },
    )


@require_POST
@role_required(Role.FRONT_DESK)
def member_enrol(request, guest_id):
    guest = guest_get(organization=request.organization, guest_id=guest_id)
    if guest is None:
        raise Http404
    try:
        membership = services.membership_enrol(guest=guest, **_ctx(request))
    except LoyaltyError as error:
        messages.error(request, error.message)
        return redirect("guests:detail", guest_id=guest.pk)
    messages.success(request, _("Enrolled as member %(number)s.") % {"number": membership.member_number})
    return redirect("loyalty:member", membership_id=membership.pk)


def _member_form(request, membership_id, *, form_class, title, action, make_form=None):
    membership = _membership_or_404(request, membership_id)
    _mask(request, [membership])
    make_form = make_form or (lambda data=None: form_class(data))
    form = make_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = action(membership, form.cleaned_data)
        except LoyaltyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, message)
            return redirect("loyalty:member", membership_id=membership.pk)
    return render(
        request,
        "loyalty/member_form.html",
        {"membership": membership, "form": form, "title": title},
        status=400 if request.method == "POST" else 200,
    )


def _adjust_message(adjustment):
    if adjustment.status == "pending":
        return _("The adjustment waits for a manager's approval.")
    return _("%(points)s points recorded.") % {"points": f"{adjustment.points:+d}"}


@require_http_methods(["GET", "POST"])
@role_required(Role.FRONT_DESK)
def member_award(request, membership_id):
    def action(membership, data):
        adjustment = services.adjustment_request(
            membership=membership, points=data["points"], reason=data["reason"], is_goodwill=True, **_ctx(request)
        )
        return _adjust_message(adjustment)

    return _member_form(
        request, membership_id, form_class=forms.AwardForm, title=_("Award goodwill points"), action=action
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.FRONT_DESK)
def member_adjust(request, membership_id):
    def action(membership, data):
        adjustment = services.adjustment_request(
            membership=membership, points=data["points"], reason=data["reason"], **_ctx(request)
        )
        return _adjust_message(adjustment)

    return _member_form(request, membership_id, form_class=forms.AdjustForm, title=_("Adjust points"), action=action)


@require_http_methods(["GET", "POST"])
@role_required(Role.FRONT_DESK)
def member_redeem(request, membership_id):
    rewards = selectors.rewards_available(
        organization=request.organization, hotel=request.hotel, today=services.local_today(request.organization.pk)
    )

    def action(membership, data):
        order = services.reward_order_place(
            membership=membership,
            reward=data["reward"],
            hotel=request.hotel,
            quantity=data["quantity"],
            idempotency_key=f"ui:{membership.pk}:{data['token']}",
            actor=request.user,
            request=request,
        )
        return _("Order #%(id)s placed: %(points)s points redeemed.") % {"id": order.pk, "points": order.points}

    return _member_form(
        request,
        membership_id,
        form_class=forms.RedeemForm,
        title=_("Redeem points for a reward"),
        action=action,
        make_form=lambda data=None: forms.RedeemForm(data, rewards=rewards),
    )


# --- Rewards ----------------------------------------------------------------------------------


@require_GET
@role_required(Role.FRONT_DESK)
def reward_list(request):
    page = Paginator(selectors.reward_list(organization=request.organization), LIST_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "loyalty/reward_list.html", {"page": page, "can_edit": has_role_at_least(request, Role.MANAGER)}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def reward_edit(request, reward_id=None):
    reward = None
    if reward_id is not None:
        reward = Reward.objects.for_org(request.organization).filter(pk=reward_id).first()
        if reward is None:
            raise Http404
    hotels = Hotel.objects.for_org(request.organization)
    form = forms.RewardForm(request.POST if request.method == "POST" else None, instance=reward, hotels=hotels)
    if request.method == "POST" and form.is_valid():
        services.reward_save(organization=request.organization, reward=reward, data=form.cleaned_data, **_ctx(request))
        messages.success(request, _("Reward saved."))
        return redirect("loyalty:rewards")
    return render(
        request,
        "loyalty/simple_form.html",
        {"form": form, "title": _("Edit reward") if reward else _("New reward"), "back": "loyalty:rewards"},
        status=400 if request.method == "POST" else 200,
    )


# --- Orders -----------------------------------------------------------------------------------


@require_GET
@role_required(Role.FRONT_DESK)
def order_list(request):
    filters = forms.OrderFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    hotel = None if has_role_at_least(request, Role.GROUP_ADMIN) else request.hotel
    rows = selectors.order_list(organization=request.organization, hotel=hotel, status=status)
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "loyalty/order_list.html", {"page": page, "filters": filters, "filter_query": _without_page(request)}
    )


def _order_or_404(request, order_id):
    order = RedemptionOrder.objects.for_org(request.organization).filter(pk=order_id).first()
    if order is None:
        raise Http404
    return order


@require_POST
@role_required(Role.FRONT_DESK)
def order_fulfil(request, order_id):
    order = _order_or_404(request, order_id)
    try:
        services.reward_order_fulfil(order=order, **_ctx(request))
        messages.success(request, _("Order fulfilled."))
    except LoyaltyError as error:
        messages.error(request, error.message)
    return redirect("loyalty:orders")


@require_POST
@role_required(Role.FRONT_DESK)
def order_cancel(request, order_id):
    order = _order_or_404(request, order_id)
    form = forms.CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.reward_order_cancel(order=order, reason=reason, **_ctx(request))
        messages.success(request, _("Order cancelled and points refunded."))
    except LoyaltyError as error:
        messages.error(request, error.message)
    return redirect("loyalty:orders")


# --- Adjustments ------------------------------------------------------------------------------


@require_GET
@role_required(Role.MANAGER)
def adjustment_list(request):
    hotel = None if has_role_at_least(request, Role.GROUP_ADMIN) else request.hotel
    show_all = request.GET.get("show") == "all"
    rows = selectors.adjustment_list(organization=request.organization, hotel=hotel, pending_only=not show_all)
    page = Paginator(rows, LIST_PAGE).get_page(request.GET.get("page"))
    return render(request, "loyalty/adjustment_list.html", {"page": page, "show_all": show_all})


@require_POST
@role_required(Role.MANAGER)
def adjustment_decide(request, adjustment_id):
    adjustment = AdjustmentRequest.objects.for_org(request.organization).filter(pk=adjustment_id).first()
    if adjustment is None or (
        not has_role_at_least(request, Role.GROUP_ADMIN) and adjustment.hotel_id != request.hotel.pk
    ):
        raise Http404
    approve = request.POST.get("decision") == "approve"
    form = forms.DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.adjustment_decide(adjustment=adjustment, approve=approve, note=note, **_ctx(request))
        messages.success(request, _("Adjustment approved.") if approve else _("Adjustment rejected."))
    except LoyaltyError as error:
        messages.error(request, error.message)
    return redirect("loyalty:adjustments")


# --- Program ----------------------------------------------------------------------------------

TierFormSet = modelformset_factory(Tier, form=forms.TierForm, extra=0, edit_only=True)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def program_settings(request):
    program = services.program_ensure(organization=request.organization)
    tiers = Tier.objects.for_org(request.organization).order_by("rank")
    data = request.POST if request.method == "POST" else None
    form = forms.ProgramForm(data, instance=program, prefix="program")
    tier_forms = TierFormSet(data, queryset=tiers, prefix="tiers")
    if request.method == "POST" and form.is_valid() and tier_forms.is_valid():
        # The forms have already copied their values onto the instances: the services get fresh
        # rows, so they see (and audit) exactly what changed.
        fresh_tiers = {t.pk: t for t in Tier.objects.for_org(request.organization)}
        with transaction.atomic():
            services.program_update(
                program=services.program_ensure(organization=request.organization.pk),
                data={k: v for k, v in form.cleaned_data.items()},
                **_ctx(request),
            )
            for tier_form in tier_forms.forms:
                tier = fresh_tiers.get(tier_form.instance.pk)
                if tier is None:
                    continue
                data = {k: v for k, v in tier_form.cleaned_data.items() if k in forms.TierForm.Meta.fields}
                services.tier_update(tier=tier, data=data, **_ctx(request))
        messages.success(request, _("Program settings saved."))
        return redirect("loyalty:program")
    return render(
        request,
        "loyalty/program.html",
        {"form": form, "tier_forms": tier_forms, "runs": selectors.job_runs(organization=request.organization)},
        status=400 if request.method == "POST" else 200,
    )
