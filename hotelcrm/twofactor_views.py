"""Two-factor pages: enter a code after log-in, enrol, see the status, remove, new recovery codes."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from hotelcrm import twofactor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next_url(request):
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return next_url


def _wrong_code(request, form):
    if twofactor.record_failure(request):
        messages.error(request, _("Too many wrong codes. Log in again."))
        return True
    form.add_error("code", _("That code is not right. Check the time on your phone and try the newest code."))
    return False


@never_cache
@login_required
@sensitive_post_parameters("code")
def verify(request):
    if twofactor.device_for(request.user) is None:
        return redirect("two-factor-setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        how = twofactor.code_verify(user=request.user, code=form.cleaned_data["code"], request=request)
        if how is not None:
            twofactor.mark_verified(request)
            if how == "recovery":
                messages.warning(
                    request, _("You used a recovery code. Each code works once: make new ones if few are left.")
                )
            return redirect(_next_url(request))
        if _wrong_code(request, form):
            return redirect("login")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@sensitive_post_parameters("code")
def setup(request):
    # Re-enrolling replaces a device only after the current session has passed two-factor.
    has_device = twofactor.device_for(request.user) is not None
    if has_device and request.session.get(twofactor.SESSION_KEY) != "verified":
        return redirect("two-factor-verify")
    secret = request.session.get(twofactor.PENDING_SECRET_SESSION_KEY)
    if not secret or request.method == "GET":
        secret = twofactor.new_secret()
        request.session[twofactor.PENDING_SECRET_SESSION_KEY] = secret
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.device_confirm(
            user=request.user, secret=secret, code=form.cleaned_data["code"], request=request
        )
        if codes is not None:
            twofactor.mark_verified(request)
            return render(
                request, "registration/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        if _wrong_code(request, form):
            return redirect("login")
    uri = twofactor.provisioning_uri(user=request.user, secret=secret)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(uri),
            "secret": secret,
            "next": _next_url(request),
            "is_required": twofactor.user_requires_two_factor(request.user, request.access),
        },
    )


@never_cache
@login_required
def status(request):
    device = twofactor.device_for(request.user)
    is_required = twofactor.user_requires_two_factor(request.user, request.access)
    codes = None
    if request.method == "POST" and device is not None:
        if request.POST.get("action") == "remove" and not is_required:
            twofactor.device_remove(user=request.user, request=request)
            request.session[twofactor.SESSION_KEY] = "exempt"
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("two-factor")
        if request.POST.get("action") == "regenerate":
            codes = twofactor.recovery_codes_regenerate(user=request.user, request=request)
    codes_left = request.user.recovery_codes.filter(used_at__isnull=True).count() if device else 0
    return render(
        request,
        "registration/two_factor_status.html",
        {
            "device": device,
            "is_required": is_required,
            "codes": codes,
            "codes_left": codes_left,
        },
    )
