"""Managers create, see and revoke their hotel's integration keys; staff read the API docs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotelcrm.exceptions import ApplicationError
from hotelcrm.models import Role
from hotelcrm.permissions import role_required
from integrations import selectors, services
from integrations.forms import IntegrationKeyForm


@role_required(Role.MANAGER)
def key_list(request):
    form = IntegrationKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            key, raw_key = services.integration_key_create(
                hotel=request.hotel,
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.cleaned_data["expires_at"],
                rate_per_minute=form.cleaned_data["rate_per_minute"],
                is_strict=form.cleaned_data["is_strict"],
                request=request,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            # The raw key is rendered once, in this response, and never stored.
            return render(request, "integrations/key_created.html", {"key": key, "raw_key": raw_key})
    keys = list(selectors.integration_keys_for_hotel(hotel=request.hotel))
    return render(
        request,
        "integrations/key_list.html",
        {"form": form, "keys": keys},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_POST
@role_required(Role.MANAGER)
def key_revoke(request, key_id):
    key = selectors.integration_key_get(hotel=request.hotel, key_id=key_id)
    if key is None:
        raise Http404
    services.integration_key_revoke(key=key, actor=request.user, request=request)
    messages.success(request, _("The key “%(name)s” is revoked: calls with it now fail.") % {"name": key.name})
    return redirect("integrations:key-list")


@require_POST
@role_required(Role.MANAGER)
def key_strict_set(request, key_id):
    key = selectors.integration_key_get(hotel=request.hotel, key_id=key_id)
    if key is None:
        raise Http404
    is_strict = request.POST.get("is_strict") == "1"
    services.integration_key_set_strict(key=key, actor=request.user, is_strict=is_strict, request=request)
    if is_strict:
        messages.success(request, _("The key “%(name)s” now refuses unknown fields.") % {"name": key.name})
    else:
        messages.success(
            request, _("The key “%(name)s” now ignores unknown fields and names them back.") % {"name": key.name}
        )
    return redirect("integrations:key-list")


@login_required
def api_docs(request):
    return render(request, "integrations/api_docs.html")
