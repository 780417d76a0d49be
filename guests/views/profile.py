"""Front-desk search, the guest profile page and the forms that change a profile."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guests import selectors, services
from guests.access import can_open_profile, openable_profile_ids
from guests.exceptions import GuestError
from guests.extensions import profile_panels
from guests.forms import (
    BirthDateForm,
    ContactForm,
    DocumentForm,
    GuestCreateForm,
    GuestProfileForm,
    PreferenceForm,
    SensitiveConsentForm,
    SpecialDateForm,
)
from guests.selectors_profile import guest_health_flags, profile_glance
from hotelcrm.models import Role
from hotelcrm.permissions import hotel_required, role_required


def _masked_initial(guest):
    name = guest.family_name or guest.native_name or guest.given_name
    return f"{name[:1]}***" if name else "***"


# Longer text is cut here, and the page says so: no name, phone or e-mail is longer.
SEARCH_MAX_LENGTH = 100


@hotel_required
@require_http_methods(["GET", "POST"])
def guest_list(request):
    """The front-desk search. The box posts (htmx as you type, or the plain form without script),
    so a phone number or an e-mail address never sits in a URL, a log or the browser history."""
    source = request.POST if request.method == "POST" else request.GET
    typed = source.get("q", "").strip()
    query = typed[:SEARCH_MAX_LENGTH]
    # No COUNT: at a million guests counting a common surname's matches costs more than the page.
    page = selectors.guest_search_page(
        organization=request.organization, query=query, hotel=request.hotel, page=source.get("page")
    )
    rows = list(page.object_list)
    # One query for the whole page, never one per row.
    openable = openable_profile_ids(request=request, guests=rows)
    for guest in rows:
        guest.is_openable = guest.pk in openable
        if not guest.is_openable:
            guest.masked_initial = _masked_initial(guest)
    page.object_list = rows
    template = "guests/partials/guest_rows.html" if request.headers.get("HX-Request") else "guests/guest_list.html"
    context = {"page": page, "query": query, "is_cut": len(typed) > SEARCH_MAX_LENGTH, "max_length": SEARCH_MAX_LENGTH}
    return render(request, template, context)


def _guest_or_404(request, guest_id):
    return selectors.guest_get_or_404(organization=request.organization, guest_id=guest_id)


def _restricted(request, guest):
    return render(request, "guests/guest_restricted.html", {"guest_id": guest.pk}, status=403)


@hotel_required
def guest_detail(request, guest_id):
    guest = _guest_or_404(request, guest_id)
    if guest.merged_into_id:
        # Merged ids keep resolving to the surviving profile.
        return redirect("guests:detail", guest_id=guest.merged_into_id)
    if not can_open_profile(request=request, guest=guest):
        return _restricted(request, guest)
    stays = list(selectors.guest_stays(guest=guest)[:100])
    preferences = list(selectors.guest_visible_preferences(guest=guest))
    special_dates = list(selectors.guest_special_dates(guest=guest))
    panels = profile_panels(request=request, guest=guest)
    glance = profile_glance(
        guest=guest,
        stays=stays,
        preferences=preferences,
        special_dates=special_dates,
        today=timezone.localdate(timezone=request.hotel.tz),
        health_flags=guest_health_flags(guest=guest),
    )
    context = {
        "guest": guest,
        "stays": stays,
        "summary": selectors.guest_stay_summary(guest=guest),
        "preferences": preferences,
        "special_dates": special_dates,
        "glance": glance,
        # Cards other apps contribute (the loyalty card): guests.extensions.
        "profile_panels": panels,
        # The header's tier and points: the headline of a contributed panel, when one has it.
        "loyalty_membership": next(
            (panel["membership"] for _t, panel in panels if panel and panel.get("membership")), None
        ),
        "currency": request.hotel.currency,
        "consents": [
            (_("Email"), guest.consent_email, guest.consent_email_at, guest.get_consent_email_source_display()),
            (_("SMS"), guest.consent_sms, guest.consent_sms_at, guest.get_consent_sms_source_display()),
            (_("Phone"), guest.consent_phone, guest.consent_phone_at, guest.get_consent_phone_source_display()),
        ],
    }
    return render(request, "guests/guest_detail.html", context)


def _apply_errors(form, error, field=None):
    """Turn a service's error into form errors a person can act on."""
    if isinstance(error, GuestError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)


def _render_form(request, form, *, title, guest=None, intro="", status=200):
    context = {"form": form, "title": title, "guest": guest, "intro": intro}
    return render(request, "guests/guest_form.html", context, status=status)


def _profile_form_view(request, guest_id, *, form_class, title, intro="", make_form=None, save, success):
    """GET shows the form, POST runs the service and redirects to the profile (POST/redirect/GET)."""
    guest = _guest_or_404(request, guest_id)
    if not can_open_profile(request=request, guest=guest):
        return _restricted(request, guest)
    make_form = make_form or (lambda guest, data=None: form_class(data))
    if request.method == "POST":
        form = make_form(guest, request.POST)
        if form.is_valid():
            try:
                save(guest, form)
            except (ValidationError, GuestError) as error:
                _apply_errors(form, error, field=getattr(save, "error_field", None))
            else:
                messages.success(request, success)
                return redirect("guests:detail", guest_id=guest.pk)
        return _render_form(request, form, title=title, guest=guest, intro=intro)
    return _render_form(request, make_form(guest), title=title, guest=guest, intro=intro)


def _audit_context(request):
    return {"actor": request.user, "request": request, "hotel": request.hotel}


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def guest_create(request):
    if request.method == "POST":
        form = GuestCreateForm(request.POST)
        if form.is_valid():
            try:
                guest = services.guest_create(
                    organization=request.organization, **_audit_context(request), **form.cleaned_data
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Guest profile created."))
                return redirect("guests:detail", guest_id=guest.pk)
    else:
        form = GuestCreateForm()
    return _render_form(request, form, title=_("New guest"))


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def guest_edit(request, guest_id):
    staff = selectors.staff_of_organization(organization=request.organization)

    def make_form(guest, data=None):
        # The form validates on a copy, so the service still sees what changed.
        return GuestProfileForm(data, instance=copy.copy(guest), staff=staff)

    def save(guest, form):
        services.guest_update(
            guest=guest, data={name: form.cleaned_data[name] for name in form.changed_data}, **_audit_context(request)
        )

    return _profile_form_view(
        request,
        guest_id,
        form_class=GuestProfileForm,
        title=_("Edit profile"),
        make_form=make_form,
        save=save,
        success=_("Profile saved."),
    )


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def guest_contact_add(request, guest_id):
    def save(guest, form):
        data = form.cleaned_data
        services.guest_contact_add(
            guest=guest,
            kind=data["kind"],
            raw_value=data["value"],
            label=data["label"],
            is_primary=data["is_primary"],
            **_audit_context(request),
        )

    save.error_field = "value"
    return _profile_form_view(
        request,
        guest_id,
        form_class=ContactForm,
        title=_("Add a phone number or email"),
        save=save,
        success=_("Contact added."),
    )


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def guest_birth_date_set(request, guest_id):
    def save(guest, form):
        services.guest_birth_date_set(
            guest=guest, birth_date=form.cleaned_data["birth_date"], **_audit_context(request)
        )

    save.error_field = "birth_date"
    return _profile_form_view(
        request,
        guest_id,
        form_class=BirthDateForm,
        title=_("Set the birth date"),
        save=save,
        success=_("Birth date saved."),
    )


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def guest_preference_set(request, guest_id):
    preference_types = selectors.preference_types_active(organization=request.organization)

    def make_form(guest, data=None):
        return PreferenceForm(data, preference_types=preference_types)

    def save(guest, form):
        services.guest_preference_set(
            guest=guest,
            preference_type=form.cleaned_data["preference_type"],
            value=form.cleaned_data["value"],
            **_audit_context(request),
        )

    save.error_field = "value"
    return _profile_form_view(
        request,
        guest_id,
        form_class=PreferenceForm,
        title=_("Add or change a preference"),
        make_form=make_form,
        save=save,
        success=_("Preference saved."),
    )


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def guest_special_date_add(request, guest_id):
    def save(guest, form):
        data = form.cleaned_data
        services.special_date_add(
            guest=guest,
            kind=data["kind"],
            calendar=data["calendar"],
            month=data["month"],
            day=data["day"],
            is_leap_month=data["is_leap_month"],
            year=data["year"],
            label=data["label"],
            **_audit_context(request),
        )

    return _profile_form_view(
        request,
        guest_id,
        form_class=SpecialDateForm,
        title=_("Add a special date"),
        save=save,
        success=_("Special date added."),
    )


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def guest_sensitive_consent(request, guest_id):
    def save(guest, form):
        services.guest_sensitive_consent_record(
            guest=guest, purpose=form.cleaned_data["purpose"], **_audit_context(request)
        )

    save.error_field = "purpose"
    intro = _(
        "PIPL art. 29: health details and identity documents are recorded only with the guest's separate "
        "consent, for a stated purpose."
    )
    return _profile_form_view(
        request,
        guest_id,
        form_class=SensitiveConsentForm,
        title=_("Record consent to sensitive data"),
        intro=intro,
        save=save,
        success=_("Consent to sensitive data recorded."),
    )


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def guest_document_set(request, guest_id):
    def save(guest, form):
        services.guest_document_set(
            guest=guest,
            document_type=form.cleaned_data["document_type"],
            raw_number=form.cleaned_data["number"],
            **_audit_context(request),
        )

    save.error_field = "number"
    return _profile_form_view(
        request,
        guest_id,
        form_class=DocumentForm,
        title=_("Set the identity document"),
        save=save,
        success=_("Identity document saved."),
    )
