"""Complaint pages: queue, board, quick log, the complaint page and its actions, the guest's feedback page."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from complaints import selectors, services, workflow
from complaints.exceptions import ComplaintError
from complaints.forms import (
    AttachmentForm,
    CloseForm,
    CompensationDecisionForm,
    CompensationForm,
    ComplaintEditForm,
    FeedbackForm,
    QueueFilterForm,
    QuickLogForm,
    TransitionForm,
)
from complaints.models import Category, ChecklistItem, Compensation, Outcome, Status
from hotelcrm.errors import form_add_application_error, messages_add_application_error
from hotelcrm.models import ROLE_RANK, Role
from hotelcrm.permissions import has_role_at_least, hotel_required, role_required

PAGE_SIZE = 50
# Steps the front desk may take; the rest is guest relations' work.
FRONT_DESK_ACTIONS = {"acknowledge", "start"}


def _complaint_or_404(request, complaint_id):
    """Ours and at a hotel this person works at; anything else is missing (404), never 403."""
    complaint = selectors.complaint_get(organization=request.organization, complaint_id=complaint_id)
    if complaint is None or complaint.hotel_id not in request.access.roles:
        raise Http404
    return complaint


def _role_at_least(request, complaint, role):
    held = request.access.roles.get(complaint.hotel_id)
    return held is not None and ROLE_RANK[Role(held)] >= ROLE_RANK[Role(role)]


def _to_detail(complaint):
    return redirect("complaints:detail", complaint_id=complaint.pk)


@hotel_required
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"status": "open"}
    rows = selectors.complaints_for_hotel(hotel=request.hotel, filters=filters, user=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/queue.html",
        {
            "form": form,
            "page": page,
            "now": timezone.now(),
            "query": query.urlencode(),
            "counts": selectors.complaint_counts(hotel=request.hotel),
            "staff": selectors.hotel_staff(hotel=request.hotel),
        },
    )


@hotel_required
def board(request):
    return render(
        request,
        "complaints/board.html",
        {
            "columns": selectors.complaint_board(hotel=request.hotel),
            "now": timezone.now(),
        },
    )


@role_required(Role.FRONT_DESK)
@require_http_methods(["GET", "POST"])
def quick_log(request):
    guest = None
    guest_id = request.POST.get("guest_id") or request.GET.get("guest")
    if guest_id and str(guest_id).isdigit():
        from guests.selectors import guest_get

        guest = guest_get(organization=request.organization, guest_id=int(guest_id))
    if request.method == "POST":
        form = QuickLogForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("guest_id", None)
            try:
                complaint = services.complaint_create(
                    hotel=request.hotel, actor=request.user, request=request, guest=guest, **data
                )
            except ComplaintError as error:
                form_add_application_error(form, error)
            else:
                messages.success(
                    request,
                    _("Complaint #%(number)s logged. Acknowledge by %(due)s.")
                    % {
                        "number": complaint.pk,
                        "due": timezone.localtime(complaint.acknowledge_due_at, request.hotel.tz).strftime("%H:%M"),
                    },
                )
                return _to_detail(complaint)
    else:
        initial = {"guest_id": guest.pk} if guest else {}
        room = request.GET.get("room", "")[:16]
        if room:
            initial["room_number"] = room
        form = QuickLogForm(initial=initial)
    return render(request, "complaints/quick_log.html", {"form": form, "guest": guest})


def _detail_context(request, complaint, **forms):
    now = timezone.now()
    staff = selectors.hotel_staff(hotel=complaint.hotel)
    departments = selectors.departments_of_hotel(hotel=complaint.hotel)
    draft_outcome = request.GET.get("draft_outcome") or Outcome.JUSTIFIED
    draft_language = request.GET.get("draft_lang") or (
        "zh-hans" if (complaint.guest and complaint.guest.preferred_language.startswith("zh")) else "en"
    )
    if draft_outcome not in Outcome.values:
        draft_outcome = Outcome.JUSTIFIED
    if draft_language not in dict(workflow.RESPONSE_LANGUAGES):
        draft_language = "en"
    close_form = forms.get("close_form") or CloseForm(
        initial={
            "version": complaint.version,
            "outcome": draft_outcome,
            "response_language": draft_language,
            "response_text": workflow.response_draft(
                outcome=draft_outcome, language=draft_language, guest=complaint.guest_label, hotel=complaint.hotel.name
            ),
        }
    )
    is_desk_only = not _role_at_least(request, complaint, Role.GUEST_RELATIONS)
    actions = [
        (action, workflow.ACTION_LABELS[action])
        for action in workflow.allowed_actions(complaint.status)
        if action != "close" and not (is_desk_only and action not in FRONT_DESK_ACTIONS)
    ]
    return {
        "complaint": complaint,
        "now": now,
        "timeline": list(selectors.complaint_timeline(complaint=complaint)),
        "checklist": list(selectors.complaint_checklist(complaint=complaint)),
        "compensations": list(selectors.complaint_compensations(complaint=complaint)),
        "attachments": list(selectors.complaint_attachments(complaint=complaint)),
        "escalations": list(selectors.complaint_escalations(complaint=complaint)),
        "actions": actions,
        "can_close": complaint.status == Status.FOLLOW_UP_DONE and not is_desk_only,
        "can_manage": not is_desk_only,
        "is_manager": _role_at_least(request, complaint, Role.MANAGER),
        "edit_form": forms.get("edit_form")
        or ComplaintEditForm(
            staff=staff,
            departments=departments,
            initial={
                "version": complaint.version,
                "assignee": complaint.assignee_id,
                "department": complaint.department_id,
                "subcategory": complaint.subcategory,
                "room_number": complaint.room_number,
                "guest_wish": complaint.guest_wish,
            },
        ),
        "transition_form": forms.get("transition_form"),
        "close_form": close_form,
        "compensation_form": forms.get("compensation_form") or CompensationForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "approval_threshold": services.hotel_settings(hotel=complaint.hotel).compensation_approval_threshold,
        "feedback_link": forms.get("feedback_link"),
        "response_languages": workflow.RESPONSE_LANGUAGES,
        "outcomes": Outcome.choices,
        "is_reopenable": complaint.status in (Status.RESOLVED, Status.FOLLOW_UP_DONE, Status.CLOSED),
    }


@hotel_required
def detail(request, complaint_id):
    complaint = _complaint_or_404(request, complaint_id)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _render_detail(request, complaint, status=400, **forms):
    return render(request, "complaints/detail.html", _detail_context(request, complaint, **forms), status=status)


@hotel_required
@require_POST
def transition(request, complaint_id):
    complaint = _complaint_or_404(request, complaint_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That step is not known; reload the page and try again."))
        return _to_detail(complaint)
    action = form.cleaned_data["action"]
    needed = Role.FRONT_DESK if action in FRONT_DESK_ACTIONS else Role.GUEST_RELATIONS
    if not _role_at_least(request, complaint, needed):
        messages.error(request, _("Guest relations or a manager takes this step."))
        return _to_detail(complaint)
    if action == "close":
        messages.error(request, _("Use the closing form to close a complaint."))
        return _to_detail(complaint)
    try:
        services.complaint_transition(
            complaint=complaint,
            action=action,
            actor=request.user,
            request=request,
            note=form.cleaned_data["note"],
            reason=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ComplaintError as error:
        messages_add_application_error(request, error)
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": workflow.ACTION_LABELS[action]})
    return _to_detail(complaint)


@hotel_required
@require_POST
def close(request, complaint_id):
    complaint = _complaint_or_404(request, complaint_id)
    if not _role_at_least(request, complaint, Role.GUEST_RELATIONS):
        messages.error(request, _("Guest relations or a manager takes this step."))
        return _to_detail(complaint)
    form = CloseForm(request.POST)
    if form.is_valid():
        closing = dict(form.cleaned_data)
        version = closing.pop("version")
        try:
            services.complaint_transition(
                complaint=complaint,
                action="close",
                actor=request.user,
                request=request,
                expected_version=version,
                closing=closing,
            )
        except ComplaintError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, _("Complaint closed."))
            return _to_detail(complaint)
    return _render_detail(request, complaint, close_form=form)


@hotel_required
@require_POST
def update(request, complaint_id):
    complaint = _complaint_or_404(request, complaint_id)
    if not _role_at_least(request, complaint, Role.GUEST_RELATIONS):
        messages.error(request, _("Guest relations or a manager takes this step."))
        return _to_detail(complaint)
    form = ComplaintEditForm(
        request.POST,
        staff=selectors.hotel_staff(hotel=complaint.hotel),
        departments=selectors.departments_of_hotel(hotel=complaint.hotel),
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.complaint_update(
                complaint=complaint, actor=request.user, data=data, expected_version=version, request=request
            )
        except ComplaintError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, _("Complaint updated."))
            return _to_detail(complaint)
    return _render_detail(request, complaint, edit_form=form)


@hotel_required
@require_POST
def checklist_toggle(request, complaint_id, item_id):
    complaint = _complaint_or_404(request, complaint_id)
    item = ChecklistItem.objects.for_org(request.organization).filter(pk=item_id, complaint=complaint).first()
    if item is None:
        raise Http404
    services.checklist_item_set(item=item, actor=request.user, is_done=request.POST.get("done") == "1", request=request)
    return redirect(reverse("complaints:detail", args=[complaint.pk]) + "#checklist")


@hotel_required
@require_POST
def compensation_propose(request, complaint_id):
    complaint = _complaint_or_404(request, complaint_id)
    if not _role_at_least(request, complaint, Role.GUEST_RELATIONS):
        messages.error(request, _("Guest relations or a manager takes this step."))
        return _to_detail(complaint)
    form = CompensationForm(request.POST)
    if form.is_valid():
        try:
            compensation = services.compensation_propose(
                complaint=complaint, actor=request.user, request=request, **form.cleaned_data
            )
        except ComplaintError as error:
            form_add_application_error(form, error)
        else:
            if compensation.status == "proposed":
                messages.success(request, _("Compensation proposed: above the hotel's limit, a manager approves it."))
            else:
                messages.success(request, _("Compensation recorded."))
            return _to_detail(complaint)
    return _render_detail(request, complaint, compensation_form=form)


@hotel_required
@require_POST
def compensation_decide(request, complaint_id, compensation_id):
    complaint = _complaint_or_404(request, complaint_id)
    compensation = (
        Compensation.objects.for_org(request.organization).filter(pk=compensation_id, complaint=complaint).first()
    )
    if compensation is None:
        raise Http404
    if not _role_at_least(request, complaint, Role.MANAGER):
        messages.error(request, _("Only a manager approves compensation."))
        return _to_detail(complaint)
    form = CompensationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return _to_detail(complaint)
    try:
        services.compensation_decide(
            compensation=compensation,
            actor=request.user,
            request=request,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ComplaintError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision recorded."))
    return _to_detail(complaint)


@hotel_required
@require_POST
def attachment_add(request, complaint_id):
    complaint = _complaint_or_404(request, complaint_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                complaint=complaint, actor=request.user, upload=form.cleaned_data["file"], request=request
            )
        except ComplaintError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("Photo attached."))
            return _to_detail(complaint)
    return _render_detail(request, complaint, attachment_form=form)


@hotel_required
def attachment_download(request, complaint_id, attachment_id):
    """Photos are never served from /media/: only here, after the tenant and hotel checks."""
    complaint = _complaint_or_404(request, complaint_id)
    attachment = selectors.complaint_attachments(complaint=complaint).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


@hotel_required
@require_POST
def feedback_link(request, complaint_id):
    complaint = _complaint_or_404(request, complaint_id)
    if not _role_at_least(request, complaint, Role.GUEST_RELATIONS):
        messages.error(request, _("Guest relations or a manager takes this step."))
        return _to_detail(complaint)
    try:
        _token, raw = services.feedback_link_create(complaint=complaint, actor=request.user, request=request)
    except ComplaintError as error:
        messages.error(request, error.message)
        return _to_detail(complaint)
    link = request.build_absolute_uri(reverse("complaints:feedback", args=[raw]))
    return _render_detail(request, complaint, status=200, feedback_link=link)


@require_http_methods(["GET", "POST"])
def feedback(request, token):
    """The guest's page: no login; the unguessable token is the key, and it works once."""
    found = services.feedback_token_get(raw_token=token)
    if found is None:
        return render(request, "complaints/feedback_invalid.html", status=404)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.feedback_submit(
                    raw_token=token,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    request=request,
                )
            except ComplaintError:
                return render(request, "complaints/feedback_invalid.html", status=404)
            return render(
                request, "complaints/feedback_thanks.html", {"hotel": found.hotel, "score": form.cleaned_data["score"]}
            )
    else:
        form = FeedbackForm()
    return render(request, "complaints/feedback.html", {"form": form, "hotel": found.hotel})


@role_required(Role.MANAGER)
def analysis(request):
    """Root causes and corrective actions by department and category, for this hotel or the group."""
    try:
        days = max(1, min(int(request.GET.get("days", 90)), 3650))
    except ValueError:
        days = 90
    since = timezone.now() - datetime.timedelta(days=days)
    whole_group = request.GET.get("scope") == "group" and has_role_at_least(request, Role.GROUP_ADMIN)
    hotel = None if whole_group else request.hotel
    department = request.GET.get("department", "")[:12]
    department = department if department == "none" or department.isdigit() else ""
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    entries = None
    if department or category:
        rows = selectors.root_cause_entries(
            organization=request.organization, hotel=hotel, department_id=department, category=category, since=since
        )
        entries = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/analysis.html",
        {
            "rows": selectors.root_cause_report(organization=request.organization, hotel=hotel, since=since),
            "entries": entries,
            "days": days,
            "whole_group": whole_group,
            "department": department,
            "category": category,
        },
    )
