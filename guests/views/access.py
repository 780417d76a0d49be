"""Confidential profiles: access requests, the managers' queue, and the audited sensitive section."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guests import access, selectors
from guests.models import AccessRequest
from hotelcrm.models import Role
from hotelcrm.permissions import has_role_at_least, hotel_required, role_required

# --- Forms ---------------------------------------------------------------------------------------

OTHER = "other"
VIEW_REASONS = [
    ("guest_at_desk", gettext_lazy("Guest at the desk")),
    ("arrival_preparation", gettext_lazy("Arrival preparation")),
    ("complaint_handling", gettext_lazy("Complaint handling")),
    ("guest_request", gettext_lazy("The guest's own request")),
    (OTHER, gettext_lazy("Other (say what)")),
]
CUSTOM = "custom"
GRANT_DURATIONS = {
    "1h": datetime.timedelta(hours=1),
    "8h": datetime.timedelta(hours=8),
    "1d": datetime.timedelta(days=1),
    "7d": datetime.timedelta(days=7),
}
DURATION_CHOICES = [
    ("1h", gettext_lazy("1 hour")),
    ("8h", gettext_lazy("8 hours")),
    ("1d", gettext_lazy("1 day")),
    ("7d", gettext_lazy("7 days")),
    (CUSTOM, gettext_lazy("Until a date and time")),
]


class AccessRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you need to open this profile?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SensitiveReasonForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason for viewing"), choices=VIEW_REASONS, widget=forms.RadioSelect)
    other_text = forms.CharField(label=gettext_lazy("Other reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == OTHER and not (data.get("other_text") or "").strip():
            self.add_error("other_text", _("Say why you are opening the sensitive details."))
        return data

    def audit_reason(self):
        """The reason as recorded: the English label, so the trail reads the same in every language."""
        code = self.cleaned_data["reason"]
        if code == OTHER:
            return f"Other: {self.cleaned_data['other_text'].strip()}"
        with translation.override("en"):
            return str(dict(VIEW_REASONS)[code])


class ApproveForm(forms.Form):
    duration = forms.ChoiceField(label=gettext_lazy("Access for"), choices=DURATION_CHOICES, initial="8h")
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Until (hotel time)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        duration = data.get("duration")
        if duration is None:
            return data
        if duration == CUSTOM:
            expires_at = data.get("expires_at")
            if expires_at is None:
                if "expires_at" not in self.errors:
                    self.add_error("expires_at", _("Choose when the access ends."))
                return data
        else:
            expires_at = timezone.now() + GRANT_DURATIONS[duration]
        try:
            data["grant_until"] = access.validate_grant_expiry(expires_at)
        except access.InvalidGrantExpiry as error:
            self.add_error("expires_at" if duration == CUSTOM else "duration", error.message)
        return data


class DenyForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why is it denied?"), max_length=500)


class RevokeForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


# --- Helpers -------------------------------------------------------------------------------------


def _guest_or_404(request, guest_id):
    return selectors.guest_get_or_404(organization=request.organization, guest_id=guest_id)


def _decidable_request_or_404(request, request_id):
    """The request through the tenant door first (a foreign id is 404), then the role (403), then the
    manager's own scope: a request of a hotel they do not manage answers like a missing one."""
    if not AccessRequest.objects.for_org(request.organization).filter(pk=request_id).exists():
        raise Http404
    if not has_role_at_least(request, Role.MANAGER):
        raise PermissionDenied
    access_request = access.access_request_get_for_decider(request=request, access_request_id=request_id)
    if access_request is None:
        raise Http404
    return access_request


def _form_errors(form):
    return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)


# --- Views ---------------------------------------------------------------------------------------


@hotel_required
def access_request(request, guest_id):
    guest = _guest_or_404(request, guest_id)
    if access.can_open_profile(request=request, guest=guest):
        messages.info(request, _("You can already open this profile."))
        return redirect("guests:sensitive", guest_id=guest.pk)
    pending = access.access_request_pending_for(guest=guest, user=request.user)
    form = AccessRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access.access_request_create(
                guest=guest,
                actor=request.user,
                hotel=request.hotel,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except access.AccessRequestError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your request was sent. A manager will decide it."))
            return redirect("guests:access-request", guest_id=guest.pk)
    return render(request, "guests/access/request_form.html", {"guest_id": guest.pk, "form": form, "pending": pending})


@role_required(Role.MANAGER)
@require_GET
def access_queue(request):
    page = Paginator(access.access_request_queue(request=request), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "grants": list(access.access_grants_active(request=request)[:100]),
        "approve_form": ApproveForm(),
        "deny_form": DenyForm(),
        "revoke_form": RevokeForm(),
        "is_group_admin": has_role_at_least(request, Role.GROUP_ADMIN),
    }
    return render(request, "guests/access/queue.html", context)


@hotel_required
@require_POST
def access_approve(request, request_id):
    access_request = _decidable_request_or_404(request, request_id)
    form = ApproveForm(request.POST)
    # A date and time typed by the manager is a time at their hotel.
    with timezone.override(request.hotel.tz):
        valid = form.is_valid()
    if not valid:
        messages.error(request, _form_errors(form))
        return redirect("guests:access-queue")
    try:
        access.access_request_approve(
            access_request=access_request,
            actor=request.user,
            expires_at=form.cleaned_data["grant_until"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except access.AccessRequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Access granted."))
    return redirect("guests:access-queue")


@hotel_required
@require_POST
def access_deny(request, request_id):
    access_request = _decidable_request_or_404(request, request_id)
    form = DenyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("guests:access-queue")
    try:
        access.access_request_deny(
            access_request=access_request, actor=request.user, note=form.cleaned_data["note"], request=request
        )
    except access.AccessRequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Request denied."))
    return redirect("guests:access-queue")


@hotel_required
@require_POST
def access_revoke(request, request_id):
    access_request = _decidable_request_or_404(request, request_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("guests:access-queue")
    try:
        access.access_grant_revoke(
            access_request=access_request, actor=request.user, note=form.cleaned_data["note"], request=request
        )
    except access.AccessRequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Access revoked."))
    return redirect("guests:access-queue")


@hotel_required
def sensitive(request, guest_id):
    guest = _guest_or_404(request, guest_id)
    if not access.can_open_profile(request=request, guest=guest):
        context = {
            "request_url": reverse("guests:access-request", kwargs={"guest_id": guest.pk}),
            "pending": access.access_request_pending_for(guest=guest, user=request.user),
        }
        return render(request, "guests/access/restricted.html", context, status=403)
    form = SensitiveReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        section = access.guest_sensitive_section(guest=guest)
        # Recorded before anything is rendered: if the record fails, nothing is shown.
        access.guest_sensitive_view_record(
            guest=guest,
            actor=request.user,
            hotel=request.hotel,
            fields=section["fields"],
            reason=form.audit_reason(),
            reason_code=form.cleaned_data["reason"],
            request=request,
        )
        return render(request, "guests/access/sensitive.html", {"guest": guest, "section": section})
    return render(request, "guests/access/sensitive_reason.html", {"guest": guest, "form": form})
