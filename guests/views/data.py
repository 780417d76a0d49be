"""Guest data pages: import, list export, and the data-subject rights (access, erasure)."""

import json

from django import forms
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

import guests.tasks_import  # noqa: F401  (registers the import task wherever the URLs are loaded)
from guests import data_rights, exports, imports, selectors
from guests.exceptions import GuestError
from guests.models import ImportStatus
from hotelcrm.models import Role
from hotelcrm.permissions import role_required


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy("UTF-8 or GB18030/GBK CSV, or XLSX; at most 10 MB and 50,000 rows."),
    )


class MappingForm(forms.Form):
    def __init__(self, *args, columns, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", gettext_lazy("(not in the file)"))] + [(str(i), name) for i, name in enumerate(columns)]
        for import_field in imports.IMPORT_FIELDS:
            initial = initial_mapping.get(import_field.name)
            self.fields[import_field.name] = forms.ChoiceField(
                label=import_field.label,
                choices=choices,
                required=import_field.required,
                initial="" if initial is None else str(initial),
            )

    def mapping(self):
        return {name: value for name, value in self.cleaned_data.items() if value != ""}


class EraseForm(forms.Form):
    confirmation = forms.CharField(
        label=gettext_lazy("Type the guest number (the # shown above) to confirm"), max_length=20
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: the guest's written request of 3 May, ticket 1234."),
    )

    def __init__(self, *args, guest, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"].strip().lstrip("#")
        if value != str(self.guest.pk):
            raise forms.ValidationError(_("Type %(id)s to confirm the erasure.") % {"id": self.guest.pk})
        return value


def _import_or_404(request, import_id):
    guest_import = imports.guest_import_get(organization=request.organization, import_id=import_id)
    if guest_import is None:
        raise Http404
    return guest_import


def _guest_or_404(request, guest_id):
    return selectors.guest_get_or_404(organization=request.organization, guest_id=guest_id)


# --- import ------------------------------------------------------------------------------------


@role_required(Role.GUEST_RELATIONS)
def import_list(request):
    recent = imports.guest_import_list(organization=request.organization)[:50]
    return render(request, "guests/data/import_list.html", {"imports": recent})


@role_required(Role.GUEST_RELATIONS)
def import_new(request):
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        try:
            guest_import = imports.guest_import_upload(
                hotel=request.hotel, actor=request.user, upload=form.cleaned_data["file"], request=request
            )
        except GuestError as error:
            form.add_error("file", error.message)
        else:
            return redirect("guests:import-mapping", guest_import.pk)
    return render(request, "guests/data/import_new.html", {"form": form}, status=400 if form.errors else 200)


@role_required(Role.GUEST_RELATIONS)
def import_mapping(request, import_id):
    guest_import = _import_or_404(request, import_id)
    if guest_import.status not in (ImportStatus.UPLOADED, ImportStatus.INVALID):
        return redirect("guests:import-detail", guest_import.pk)
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        columns=guest_import.columns,
        initial_mapping=guest_import.mapping,
    )
    if request.method == "POST" and form.is_valid():
        try:
            guest_import = imports.guest_import_map(
                guest_import=guest_import, mapping=form.mapping(), actor=request.user, request=request
            )
        except GuestError as error:
            form.add_error(None, error.message)
        else:
            # The worker checks the rows: the detail page shows its progress, then the report or the import.
            return redirect("guests:import-detail", guest_import.pk)
    return render(
        request,
        "guests/data/import_mapping.html",
        {"guest_import": guest_import, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.GUEST_RELATIONS)
def import_report(request, import_id):
    guest_import = _import_or_404(request, import_id)
    context = {
        "guest_import": guest_import,
        "summary": imports.import_summary(guest_import),
        "problems": guest_import.errors[:500],
    }
    return render(request, "guests/data/import_report.html", context)


@role_required(Role.GUEST_RELATIONS)
@require_POST
def import_start(request, import_id):
    guest_import = _import_or_404(request, import_id)
    try:
        imports.guest_import_start(guest_import=guest_import, actor=request.user, request=request)
    except GuestError as error:
        messages.error(request, error.message)
        return redirect("guests:import-report", guest_import.pk)
    return redirect("guests:import-detail", guest_import.pk)


@role_required(Role.GUEST_RELATIONS)
def import_detail(request, import_id):
    guest_import = _import_or_404(request, import_id)
    return render(request, "guests/data/import_detail.html", {"guest_import": guest_import})


@role_required(Role.GUEST_RELATIONS)
def import_progress(request, import_id):
    guest_import = _import_or_404(request, import_id)
    return render(request, "guests/data/partials/import_progress.html", {"guest_import": guest_import})


# --- list export -------------------------------------------------------------------------------


def _export_filename(extension):
    return f"guests-{timezone.localdate():%Y%m%d}.{extension}"


@role_required(Role.MANAGER)
def export_csv(request):
    query = request.GET.get("q", "")[:100]
    exports.guest_list_export_record(request=request, query=query, file_format="csv")
    response = StreamingHttpResponse(
        exports.csv_stream(request=request, query=query), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_filename("csv")}"'
    return response


@role_required(Role.MANAGER)
def export_xlsx(request):
    query = request.GET.get("q", "")[:100]
    exports.guest_list_export_record(request=request, query=query, file_format="xlsx")
    response = HttpResponse(
        exports.xlsx_bytes(request=request, query=query),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_filename("xlsx")}"'
    return response


# --- data-subject rights -----------------------------------------------------------------------


@role_required(Role.MANAGER)
def guest_export_json(request, guest_id):
    guest = _guest_or_404(request, guest_id)
    data_rights.guest_dsr_export_record(guest=guest, actor=request.user, request=request, hotel=request.hotel)
    payload = data_rights.guest_personal_data(guest=guest)
    response = HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="guest-{guest.pk}.json"'
    return response


@role_required(Role.MANAGER)
def guest_erase(request, guest_id):
    guest = _guest_or_404(request, guest_id)
    form = EraseForm(request.POST if request.method == "POST" else None, guest=guest)
    if request.method == "POST" and form.is_valid():
        try:
            data_rights.guest_erase(
                guest=guest,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
                hotel=request.hotel,
            )
        except GuestError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The guest's personal data has been erased; stays are kept without a name."))
            return redirect("guests:detail", guest.pk)
    return render(
        request, "guests/data/guest_erase.html", {"guest": guest, "form": form}, status=400 if form.errors else 200
    )
