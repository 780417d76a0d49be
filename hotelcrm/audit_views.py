"""The managers' audit screen: the organization's trail, filtered, paginated and exportable."""

import datetime

from django import forms
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from hotelcrm import audit_selectors
from hotelcrm.audit import audit_record
from hotelcrm.exports import csv_cell, csv_lines
from hotelcrm.models import Role
from hotelcrm.permissions import role_required

EXPORT_COLUMNS = (
    "occurred_at",
    "organization_id",
    "hotel",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "fields",
    "reason",
    "ip_address",
)


class AuditFilterForm(forms.Form):
    guest = forms.IntegerField(label=gettext_lazy("Guest id"), required=False, min_value=1, max_value=2**63 - 1)
    actor = forms.ModelChoiceField(
        label=gettext_lazy("Staff member"), queryset=None, required=False, empty_label=gettext_lazy("Anyone")
    )
    action = forms.CharField(label=gettext_lazy("Action"), max_length=80, required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = audit_selectors.audit_staff_choices(organization=organization)
        self.fields["actor"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def clean_action(self):
        return self.cleaned_data["action"].strip()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def selector_filters(self, *, tz):
        """The cleaned filters as selector arguments; dates are whole days in the hotel's time zone."""
        data = self.cleaned_data
        date_from, date_to = data.get("date_from"), data.get("date_to")
        return {
            "guest_id": data.get("guest"),
            "actor_id": data["actor"].pk if data.get("actor") else None,
            "action": data.get("action", ""),
            "occurred_from": audit_selectors.day_bounds(day=date_from, tz=tz) if date_from else None,
            "occurred_to": audit_selectors.day_bounds(day=date_to + datetime.timedelta(days=1), tz=tz)
            if date_to
            else None,
        }


def _filtered_events(request):
    form = AuditFilterForm(request.GET or None, organization=request.organization)
    if request.GET and not form.is_valid():
        return form, None, {}
    filters = form.selector_filters(tz=request.hotel.tz) if form.is_bound else {}
    return form, audit_selectors.audit_event_list(request=request, **filters), filters


@role_required(Role.MANAGER)
@require_GET
def audit_list(request):
    form, events, _filters = _filtered_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page")) if events is not None else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "known_actions": audit_selectors.KNOWN_ACTIONS,
    }
    return render(request, "core/audit_list.html", context)


@transaction.atomic
def audit_export_record(*, organization, hotel, actor, filters, request=None):
    """The export of the trail is itself audited (a service: the one write of this screen)."""
    shown = {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in filters.items()
        if value not in (None, "")
    }
    return audit_record(
        action="audit.export",
        organization=organization,
        hotel=hotel,
        actor=actor,
        fields=list(EXPORT_COLUMNS),
        request=request,
        extra={"filters": shown},
    )


def _cell(value):
    # Spreadsheets run cells that start with = + - @ tab or CR as formulas (hotelcrm.exports).
    return csv_cell(None if value is None else str(value))


def _rows(events, tz):
    yield from csv_lines([EXPORT_COLUMNS])
    for event in events.iterator(chunk_size=2000):
        yield from csv_lines(
            [
                [
                    _cell(v)
                    for v in (
                        timezone.localtime(event.occurred_at, tz).isoformat(),
                        event.organization_id,
                        event.hotel.name if event.hotel else "",
                        event.actor.get_username() if event.actor else event.actor_label,
                        event.action,
                        event.object_type,
                        event.object_id,
                        event.object_repr,
                        ";".join(map(str, event.fields or [])),
                        event.reason,
                        event.ip_address,
                    )
                ]
            ]
        )


@role_required(Role.MANAGER)
@require_GET
def audit_export(request):
    form, events, filters = _filtered_events(request)
    if events is None:
        return render(
            request,
            "core/audit_list.html",
            {"form": form, "page": None, "query": "", "known_actions": audit_selectors.KNOWN_ACTIONS},
            status=400,
        )
    audit_export_record(
        organization=request.organization, hotel=request.hotel, actor=request.user, filters=filters, request=request
    )
    response = StreamingHttpResponse(_rows(events, request.hotel.tz), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(timezone.now(), request.hotel.tz).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
