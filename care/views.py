"""Guest care pages: staff screens (campaigns, templates, calendar, delivery log, call tasks) and
the two public pages a guest reaches from a message (unsubscribe, survey), opened by token."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from care import forms, selectors, services
from care.exceptions import CareError
from care.messages import SURVEY_SALT, UNSUBSCRIBE_SALT, VARIABLES
from care.models import MessageLanguage
from hotelcrm.models import Role
from hotelcrm.permissions import role_required

PAGE_SIZE = 50


def _form_errors(form, error):
    """Put a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@require_GET
@role_required(Role.GUEST_RELATIONS)
def campaign_list(request):
    campaigns = selectors.campaign_list(hotel=request.hotel)
    runs = selectors.run_progress(hotel=request.hotel)
    return render(request, "care/campaign_list.html", {"campaigns": campaigns, "runs": runs})


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def campaign_edit(request, campaign_id=None):
    campaign = None
    if campaign_id is not None:
        campaign = selectors.campaign_get(hotel=request.hotel, campaign_id=campaign_id)
        if campaign is None:
            raise Http404
    form = forms.CampaignForm(
        request.POST if request.method == "POST" else None, instance=campaign, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.campaign_save(
                hotel=request.hotel, actor=request.user, campaign=campaign, request=request, **fields
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("care:campaign-edit", campaign_id=saved.pk)
    preview = None
    templates = {}
    if campaign is not None:
        preview = selectors.campaign_audience_preview(campaign=campaign)
        templates = selectors.campaign_templates(campaign=campaign)
    return render(
        request,
        "care/campaign_edit.html",
        {
            "form": form,
            "campaign": campaign,
            "preview": preview,
            "templates": templates,
            "template_languages": MessageLanguage.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def template_edit(request, campaign_id, language):
    campaign = selectors.campaign_get(hotel=request.hotel, campaign_id=campaign_id)
    if campaign is None or language not in MessageLanguage.values:
        raise Http404
    template = selectors.campaign_templates(campaign=campaign).get(language)
    initial = {"subject": template.subject, "body": template.body} if template else {}
    form = forms.TemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview(campaign, language, form.cleaned_data)
        else:
            try:
                services.template_save(
                    campaign=campaign, language=language, actor=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Template saved."))
                return redirect("care:campaign-edit", campaign_id=campaign.pk)
    elif template:
        preview = _preview(campaign, language, initial)
    return render(
        request,
        "care/template_edit.html",
        {
            "campaign": campaign,
            "language": dict(MessageLanguage.choices)[language],
            "form": form,
            "preview": preview,
            "variables": VARIABLES.items(),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _preview(campaign, language, data):
    """The message as a sample guest would get it (not saved, nothing sent)."""
    from care.messages import render as render_text
    from care.messages import unknown_variables

    unknown = unknown_variables(data.get("subject", "")) + unknown_variables(data.get("body", ""))
    values = {
        "guest_name": "王小明" if language == MessageLanguage.CHINESE else "Alex Smith",
        "hotel_name": campaign.hotel.name,
        "occasion_date": timezone.localdate().isoformat(),
        "holiday_name": campaign.holiday.name if campaign.holiday_id else "",
        "survey_url": "https://…/care/s/…",
        "unsubscribe_url": "https://…/care/u/…",
    }
    return {
        "subject": render_text(data.get("subject", ""), values),
        "body": render_text(data.get("body", ""), values),
        "unknown": sorted(set(unknown)),
    }


@require_http_methods(["GET", "POST"])
@role_required(Role.GUEST_RELATIONS)
def holiday_list(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate(timezone=request.hotel.tz).year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 1901), 2099)
    form = forms.HolidayForm(None)
    import_form = forms.ImportHolidaysForm(None, initial={"year": year, "country": "CN"})
    is_manager = request.role in (Role.MANAGER, Role.GROUP_ADMIN)
    status = 200
    if request.method == "POST":
        if not is_manager:
            raise Http404
        action = request.POST.get("action")
        if action == "seed":
            added = services.holiday_calendar_seed(
                organization=request.organization, actor=request.user, request=request
            )
            messages.success(request, _("%(count)s festivals added.") % {"count": len(added)})
            return redirect(f"{request.path}?year={year}")
        if action == "import":
            import_form = forms.ImportHolidaysForm(request.POST)
            if import_form.is_valid():
                try:
                    added = services.holiday_import_public(
                        organization=request.organization,
                        actor=request.user,
                        request=request,
                        **import_form.cleaned_data,
                    )
                except CareError as error:
                    import_form.add_error("country", error.message)
                else:
                    messages.success(request, _("%(count)s public holidays added.") % {"count": len(added)})
                    return redirect(f"{request.path}?year={year}")
        else:
            form = forms.HolidayForm(request.POST)
            if form.is_valid():
                try:
                    services.holiday_save(
                        organization=request.organization, actor=request.user, request=request, **form.cleaned_data
                    )
                except ValidationError as error:
                    _form_errors(form, error)
                else:
                    messages.success(request, _("Holiday saved."))
                    return redirect(f"{request.path}?year={year}")
        status = 400
    rows = selectors.holiday_calendar(organization=request.organization, year=year)
    return render(
        request,
        "care/holiday_list.html",
        {
            "rows": rows,
            "year": year,
            "form": form,
            "import_form": import_form,
            "is_manager": is_manager,
            "previous_year": year - 1,
            "next_year": year + 1,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def holiday_edit(request, holiday_id):
    holiday = selectors.holiday_get(organization=request.organization, holiday_id=holiday_id)
    if holiday is None:
        raise Http404
    form = forms.HolidayForm(request.POST if request.method == "POST" else None, instance=holiday)
    if request.method == "POST" and form.is_valid():
        try:
            services.holiday_save(
                organization=request.organization,
                actor=request.user,
                holiday=holiday,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Holiday saved."))
            return redirect("care:holiday-list")
    return render(
        request,
        "care/holiday_edit.html",
        {"form": form, "holiday": holiday},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def settings_edit(request):
    current = services.care_settings_for(request.hotel)
    form = forms.CareSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_settings_save(hotel=request.hotel, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Sending rules saved."))
            return redirect("care:settings")
    return render(request, "care/settings.html", {"form": form}, status=400 if request.method == "POST" else 200)


@require_GET
@role_required(Role.GUEST_RELATIONS)
def delivery_list(request):
    form = forms.DeliveryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    campaign_id = request.GET.get("campaign")
    rows = selectors.delivery_log(
        hotel=request.hotel,
        status=filters.get("status"),
        channel=filters.get("channel"),
        day=filters.get("day"),
        campaign_id=int(campaign_id) if campaign_id and campaign_id.isdigit() else None,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    runs = selectors.run_progress(hotel=request.hotel)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "care/delivery_list.html", {"page": page, "form": form, "runs": runs, "query": query.urlencode()}
    )


@require_GET
@role_required(Role.FRONT_DESK)
def call_task_list(request):
    show = request.GET.get("show", "open")
    if show not in ("open", "mine", "done"):
        show = "open"
    rows = selectors.call_tasks(hotel=request.hotel, show=show, user=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/call_list.html", {"page": page, "show": show})


@require_http_methods(["GET", "POST"])
@role_required(Role.FRONT_DESK)
def call_task_detail(request, task_id):
    task = selectors.call_task_get(hotel=request.hotel, task_id=task_id)
    if task is None:
        raise Http404
    form = forms.CallOutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_task_complete(task=task, actor=request.user, request=request, **form.cleaned_data)
        except CareError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Call report saved."))
            return redirect("care:call-list")
    stays = [] if task.guest.is_confidential else selectors.guest_recent_stays(guest=task.guest)
    return render(
        request,
        "care/call_detail.html",
        {"task": task, "form": form, "stays": stays},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@role_required(Role.GUEST_RELATIONS)
def survey_results(request):
    stats, recent = selectors.survey_summary(hotel=request.hotel)
    return render(request, "care/survey_results.html", {"stats": stats, "recent": recent})


@require_GET
@role_required(Role.FRONT_DESK)
def watch_list(request):
    """Regular guests at risk of drifting away, with the reasons, for their relationship owners."""
    from guests.access import openable_profile_ids

    show = request.GET.get("show", "mine")
    if show not in ("mine", "new", "all"):
        show = "mine"
    at_hotel = request.GET.get("hotel") == "1"  # the dashboard's hotel view: guests who stayed at the active hotel
    rows = selectors.churn_watch_list(
        organization=request.organization, show=show, user=request.user, hotel=request.hotel if at_hotel else None
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    openable = openable_profile_ids(request=request, guests=[row.guest for row in page.object_list])
    runs = selectors.churn_runs(organization=request.organization)
    return render(
        request,
        "care/watch_list.html",
        {
            "page": page,
            "show": show,
            "openable": openable,
            "runs": runs,
            "latest": runs[0] if runs else None,
            "at_hotel": at_hotel,
        },
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows one button (mail scanners prefetch links); POST, also from mail clients'
    one-click List-Unsubscribe-Post, withdraws the consent."""
    delivery = services.delivery_for_token(UNSUBSCRIBE_SALT, token)
    if delivery is None:
        raise Http404
    done = False
    if request.method == "POST":
        services.guest_unsubscribe(token=token, request=request)
        done = True
    return render(request, "care/public/unsubscribe.html", {"delivery": delivery, "done": done})


@require_http_methods(["GET", "POST"])
def survey(request, token):
    delivery = services.delivery_for_token(SURVEY_SALT, token)
    if delivery is None:
        raise Http404
    form = forms.SurveyForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(token=token, request=request, **form.cleaned_data)
        except CareError as exc:
            error = exc.message
        else:
            return render(request, "care/public/survey_thanks.html", {"delivery": delivery})
    return render(
        request,
        "care/public/survey.html",
        {"delivery": delivery, "form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )
