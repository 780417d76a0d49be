"""State changes of complaints: one transaction each, the audit event inside.

The PMS API and the UI call the same functions: `complaint_create`, `complaint_transition`
(every workflow step, `close` included), `complaint_update`, compensation, checklist,
attachments, feedback links and the escalation scan.
"""

import datetime
import hashlib
import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints import workflow
from complaints.exceptions import (
    AttachmentRejected,
    ComplaintConflict,
    ComplaintError,
    FeedbackLinkInvalid,
    IllegalTransition,
)
from complaints.models import (
    OPEN_STATUSES,
    Attachment,
    ChecklistItem,
    Compensation,
    CompensationKind,
    CompensationStatus,
    Complaint,
    ComplaintTransition,
    Escalation,
    FeedbackToken,
    HotelComplaintSettings,
    Outcome,
    SlaOverride,
    SlaPolicy,
    Status,
    Threshold,
)
from hotelcrm import rls
from hotelcrm.audit import audit_record
from hotelcrm.domain_events import suggestion_adopted
from hotelcrm.models import Membership, Role

LOW_SATISFACTION = 2
FEEDBACK_LINK_DAYS = 14
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENTS_PER_COMPLAINT = 10


# --- policy -------------------------------------------------------------------------------------


def sla_clock(*, organization, severity):
    """The clock a new complaint of this severity runs on: policy, then the severity override."""
    organization_id = getattr(organization, "pk", organization)
    policy = SlaPolicy.objects.for_org(organization_id).first()
    minutes = dict(workflow.DEFAULT_MINUTES)
    at_risk = workflow.DEFAULT_AT_RISK_PERCENT
    if policy is not None:
        minutes = {
            "acknowledge": policy.acknowledge_minutes,
            "resolve": policy.resolve_minutes,
            "hard_limit": policy.hard_limit_minutes,
        }
        at_risk = policy.at_risk_percent
    override = SlaOverride.objects.for_org(organization_id).filter(severity=severity).first()
    if override is not None:
        for key in minutes:
            value = getattr(override, f"{key}_minutes")
            if value:
                minutes[key] = value
    elif policy is None and severity in workflow.DEFAULT_SEVERITY_MINUTES:
        minutes.update(workflow.DEFAULT_SEVERITY_MINUTES[severity])
    # A hard limit before the resolve time would announce the worst breach first.
    minutes["hard_limit"] = max(minutes["hard_limit"], minutes["resolve"])
    return workflow.Clock(minutes["acknowledge"], minutes["resolve"], minutes["hard_limit"], at_risk)


def at_risk_percent(*, organization_id):
    policy = SlaPolicy.objects.for_org(organization_id).first()
    return policy.at_risk_percent if policy else workflow.DEFAULT_AT_RISK_PERCENT


def hotel_settings(*, hotel):
    """The hotel's complaint settings; an unsaved row with the defaults when none is stored."""
    found = HotelComplaintSettings.objects.for_hotel(hotel).select_related("general_manager").first()
    return found or HotelComplaintSettings(organization_id=hotel.organization_id, hotel=hotel)


def _staff_ids_of_hotel(hotel, roles=None):
    """Users with a membership at this hotel (optionally of given roles), plus the group's admins
    (unless the roles asked for leave them out)."""
    memberships = Membership.objects.for_org(hotel.organization_id)
    at_hotel = memberships.filter(hotel_id=hotel.pk)
    if roles:
        at_hotel = at_hotel.filter(role__in=roles)
    ids = set(at_hotel.values_list("user_id", flat=True))
    if not roles or Role.GROUP_ADMIN in roles:
        ids.update(memberships.filter(role=Role.GROUP_ADMIN).values_list("user_id", flat=True))
    return ids


def _check_staff(hotel, user, field):
    if user is not None and user.pk not in _staff_ids_of_hotel(hotel):
        raise ComplaintError(code="invalid", fields={field: _("Choose someone who works at this hotel.")})


def _next_escalation_at(complaint, fired=None, percent=None):
    if complaint.status not in OPEN_STATUSES:
        return None
    if fired is None:
        fired = (
            set(
                Escalation.objects.for_org(complaint.organization_id)
                .filter(complaint=complaint)
                .values_list("threshold", flat=True)
            )
            if complaint.pk
            else set()
        )
    if percent is None:
        percent = at_risk_percent(organization_id=complaint.organization_id)
    pending = [when for threshold, when in workflow.threshold_times(complaint, percent) if threshold not in fired]
    return min(pending) if pending else None


# --- creating and editing -------------------------------------------------------------------------


@transaction.atomic
def complaint_create(
    *,
    hotel,
    actor,
    category,
    description,
    channel="in_person",
    severity="medium",
    guest=None,
    guest_name="",
    subcategory="",
    room_number="",
    department=None,
    assignee=None,
    guest_wish="",
    received_at=None,
    request=None,
    actor_label="",
):
    """Log a complaint; its SLA due times are fixed now from the organization's policy in the hotel's zone."""
    if guest is not None and guest.organization_id != hotel.organization_id:
        raise ComplaintError(code="invalid", fields={"guest": _("Choose a guest of this organization.")})
    if department is not None and (department.organization_id, department.hotel_id) != (
        hotel.organization_id,
        hotel.pk,
    ):
        raise ComplaintError(code="invalid", fields={"department": _("Choose a department of this hotel.")})
    _check_staff(hotel, assignee, "assignee")
    received_at = received_at or timezone.now()
    clock = sla_clock(organization=hotel.organization_id, severity=severity)
    complaint = Complaint(
        organization_id=hotel.organization_id,
        hotel=hotel,
        guest=guest,
        guest_name=(guest_name or "").strip(),
        channel=channel,
        category=category,
        subcategory=subcategory,
        severity=severity,
        room_number=room_number,
        department=department,
        assignee=assignee,
        description=description,
        guest_wish=guest_wish,
        received_at=received_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **workflow.due_times(received_at=received_at, clock=clock, tz=hotel.tz),
    )
    complaint.full_clean(exclude=["organization", "hotel", "guest", "department", "assignee", "created_by"])
    complaint.next_escalation_at = _next_escalation_at(complaint, fired=set(), percent=clock.at_risk_percent)
    complaint.save()
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                organization_id=complaint.organization_id,
                hotel=hotel,
                complaint=complaint,
                code=code,
                is_step=is_step,
                position=position,
            )
            for position, (code, is_step) in enumerate(workflow.checklist_codes(category))
        ]
    )
    _timeline(complaint, "", Status.RECEIVED, actor, actor_label, "")
    audit_record(
        action="complaint.create",
        hotel=hotel,
        organization=hotel.organization,
        actor=actor,
        actor_label=actor_label,
        obj=complaint,
        request=request,
        extra={"category": category, "severity": severity, "channel": channel},
    )
    return complaint


EDITABLE_FIELDS = ("guest", "guest_name", "subcategory", "room_number", "department", "assignee", "guest_wish")


def _locked(complaint, expected_version):
    """The complaint's row, locked until the transaction ends.

    Two staff acting at once both read version v; the lock makes the second wait for the
    first to commit, then it sees v+1 and is refused instead of overwriting what it never saw.
    """
    locked = Complaint.objects.for_org(complaint.organization_id).select_for_update().filter(pk=complaint.pk).first()
    if locked is None:
        raise ComplaintError(_("This complaint no longer exists."))
    if expected_version is not None and locked.version != int(expected_version):
        raise ComplaintConflict()
    return locked


@transaction.atomic
def complaint_update(*, complaint, actor, data, expected_version=None, request=None):
    locked = _locked(complaint, expected_version)
    changed = []
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ComplaintError(_("That field cannot be changed here."))
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if not changed:
        return locked
    if locked.guest_id and locked.guest.organization_id != locked.organization_id:
        raise ComplaintError(code="invalid", fields={"guest": _("Choose a guest of this organization.")})
    if locked.department_id and (locked.department.organization_id, locked.department.hotel_id) != (
        locked.organization_id,
        locked.hotel_id,
    ):
        raise ComplaintError(code="invalid", fields={"department": _("Choose a department of this hotel.")})
    if "assignee" in changed:
        _check_staff(locked.hotel, locked.assignee, "assignee")
    locked.version += 1
    locked.save(update_fields=[*changed, "version", "updated_at"])
    audit_record(
        action="complaint.update",
        organization=locked.organization,
        hotel=locked.hotel,
        actor=actor,
        obj=locked,
        fields=changed,
        request=request,
    )
    return locked


# --- the state machine ----------------------------------------------------------------------------


def _timeline(complaint, from_status, to_status, actor, actor_label, note):
    return ComplaintTransition.objects.create(
        organization_id=complaint.organization_id,
        hotel_id=complaint.hotel_id,
        complaint=complaint,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label[:100],
        note=note,
    )


def _refuse(complaint, action):
    allowed = workflow.allowed_actions(complaint.status)
    raise IllegalTransition(
        _("This complaint is “%(status)s”: “%(action)s” is not possible now. Possible next steps: %(allowed)s.")
        % {
            "status": complaint.get_status_display(),
            "action": workflow.ACTION_LABELS.get(action, action),
            "allowed": ", ".join(str(workflow.ACTION_LABELS[a]) for a in allowed) or _("none"),
        },
        extra={"status": complaint.status, "action": action, "allowed": allowed},
    )


@transaction.atomic
def complaint_transition(
    *, complaint, action, actor, note="", reason="", expected_version=None, closing=None, request=None, actor_label=""
):
    """Move a complaint one step: acknowledge, start, resolve, follow_up, close, reopen or cancel.

    Illegal steps raise IllegalTransition (with the steps that are possible); a stale
    `expected_version` raises ComplaintConflict. `close` takes `closing`, a dict of the
    closing fields (see `_apply_closing`); `cancel` needs a `reason`.
    """
    if action not in workflow.TRANSITIONS:
        raise IllegalTransition(_("Unknown step: %(action)s.") % {"action": str(action)[:40]})
    locked = _locked(complaint, expected_version)
    sources, target = workflow.TRANSITIONS[action]
    if locked.status not in sources:
        _refuse(locked, action)
    now = timezone.now()
    previous = locked.status
    fields = ["status", "version", "updated_at", "next_escalation_at"]
    if action == "acknowledge":
        locked.acknowledged_at = locked.acknowledged_at or now
        fields.append("acknowledged_at")
    elif action == "resolve":
        locked.resolved_at = now
        fields.append("resolved_at")
    elif action == "cancel":
        reason = (reason or note or "").strip()
        if not reason:
            raise ComplaintError(_("Say why the complaint is cancelled."))
        locked.cancel_reason = reason[:300]
        note = note or reason
        fields.append("cancel_reason")
    elif action == "reopen":
        locked.resolved_at = None
        locked.closed_at = None
        locked.reopen_count += 1
        fields += ["resolved_at", "closed_at", "reopen_count"]
    elif action == "close":
        locked.closed_at = now
        fields.append("closed_at")
        fields += _apply_closing(locked, closing or {})
    locked.status = target
    locked.version += 1
    locked.next_escalation_at = _next_escalation_at(locked)
    locked.save(update_fields=fields)
    _timeline(locked, previous, target, actor, actor_label, note)
    audit_record(
        action=f"complaint.{action}",
        organization=locked.organization,
        hotel=locked.hotel,
        actor=actor,
        actor_label=actor_label,
        obj=locked,
        request=request,
        reason=note,
        extra={"from": previous, "to": target},
    )
    if action == "close":
        _after_close(locked, actor, request)
    return locked


def _apply_closing(complaint, closing):
    """Validate and set the closing fields; returns the names set. Raises ComplaintError with the fields at fault."""
    errors = {}
    outcome = closing.get("outcome") or ""
    if outcome not in Outcome.values:
        errors["outcome"] = _("Say whether the complaint was justified.")
    response_text = (closing.get("response_text") or "").strip()
    if not response_text:
        errors["response_text"] = _("Write the response sent to the guest.")
    root_cause = (closing.get("root_cause") or "").strip()
    corrective_action = (closing.get("corrective_action") or "").strip()
    if outcome == Outcome.JUSTIFIED and not root_cause:
        errors["root_cause"] = _("A justified complaint needs its root cause for the self-review.")
    if outcome == Outcome.JUSTIFIED and not corrective_action:
        errors["corrective_action"] = _("A justified complaint needs the corrective action taken.")
    satisfaction = closing.get("satisfaction")
    if satisfaction not in (None, ""):
        try:
            satisfaction = int(satisfaction)
        except (TypeError, ValueError):
            satisfaction = 0
        if not 1 <= satisfaction <= 5:
            errors["satisfaction"] = _("Give a score from 1 to 5.")
        elif satisfaction <= LOW_SATISFACTION:
            errors["satisfaction"] = _(
                "The guest is not satisfied: reopen the complaint and keep working on it instead of closing it."
            )
    else:
        satisfaction = None
    if errors:
        raise ComplaintError(code="invalid", fields=errors)
    complaint.outcome = outcome
    complaint.response_text = response_text
    complaint.response_language = (closing.get("response_language") or "")[:10]
    complaint.root_cause = root_cause
    complaint.corrective_action = corrective_action
    complaint.is_malicious = bool(closing.get("is_malicious"))
    names = ["outcome", "response_text", "response_language", "root_cause", "corrective_action", "is_malicious"]
    complaint._suggestion_newly_adopted = (
        bool(closing.get("is_suggestion_adopted")) and not complaint.is_suggestion_adopted
    )
    complaint.is_suggestion_adopted = complaint.is_suggestion_adopted or bool(closing.get("is_suggestion_adopted"))
    names.append("is_suggestion_adopted")
    if satisfaction is not None:
        complaint.satisfaction = satisfaction
        complaint.satisfaction_comment = (closing.get("satisfaction_comment") or "").strip()
        complaint.satisfaction_source = "staff"
        names += ["satisfaction", "satisfaction_comment", "satisfaction_source"]
    return names


def _after_close(complaint, actor, request):
    if getattr(complaint, "_suggestion_newly_adopted", False):
        audit_record(
            action="complaint.suggestion_adopted",
            organization=complaint.organization,
            hotel=complaint.hotel,
            actor=actor,
            obj=complaint,
            request=request,
        )
        # Inside this transaction: loyalty's points award commits or rolls back with the close.
        suggestion_adopted.send(sender=Complaint, complaint=complaint, actor=actor)
    if complaint.is_malicious and complaint.guest_id:
        _warn_guest_if_malicious(complaint, actor, request)


def _warn_guest_if_malicious(complaint, actor, request):
    from guests.models import GuestProfile, GuestStatus
    from guests.services import guest_update

    count = (
        Complaint.objects.for_org(complaint.organization_id)
        .filter(guest_id=complaint.guest_id, is_malicious=True)
        .count()
    )
    threshold = hotel_settings(hotel=complaint.hotel).malicious_warning_threshold
    guest = GuestProfile.objects.for_org(complaint.organization_id).select_for_update().get(pk=complaint.guest_id)
    if count >= threshold and guest.status == GuestStatus.ACTIVE:
        guest_update(
            guest=guest,
            actor=actor,
            request=request,
            hotel=complaint.hotel,
            data={
                "status": GuestStatus.WARNED,
                "status_reason": (
                    _("%(count)s complaints marked malicious (latest #%(number)s).")
                    % {"count": count, "number": complaint.pk}
                )[:300],
            },
        )


# --- the checklist --------------------------------------------------------------------------------


@transaction.atomic
def checklist_item_set(*, item, actor, is_done, request=None):
    item = ChecklistItem.objects.for_org(item.organization_id).select_for_update().get(pk=item.pk)
    if bool(item.done_at) == bool(is_done):
        return item
    item.done_at = timezone.now() if is_done else None
    item.done_by = actor if is_done else None
    item.save(update_fields=["done_at", "done_by"])
    audit_record(
        action="complaint.checklist",
        hotel=item.hotel,
        actor=actor,
        obj=item.complaint,
        request=request,
        extra={"item": item.code, "done": bool(is_done)},
    )
    return item


# --- compensation ---------------------------------------------------------------------------------


@transaction.atomic
def compensation_propose(*, complaint, actor, kind, amount=None, gift="", value=None, note="", request=None):
    """Record an offer. Up to the hotel's threshold it stands at once; above it, a manager approves."""
    if complaint.status in (Status.CLOSED, Status.CANCELLED):
        raise ComplaintError(_("This complaint is closed: reopen it before offering compensation."))
    if kind == CompensationKind.AMOUNT:
        if amount is None or Decimal(amount) <= 0:
            raise ComplaintError(code="invalid", fields={"amount": _("Enter an amount above zero.")})
        value = Decimal(amount)
        gift = ""
    elif kind == CompensationKind.GIFT:
        if not (gift or "").strip():
            raise ComplaintError(code="invalid", fields={"gift": _("Describe the gift.")})
        value = Decimal(value or 0)
        if value < 0:
            raise ComplaintError(code="invalid", fields={"value": _("The value cannot be negative.")})
        amount = None
    else:
        raise ComplaintError(code="invalid", fields={"kind": _("Choose an amount or a gift.")})
    settings_row = hotel_settings(hotel=complaint.hotel)
    needs_approval = value > settings_row.compensation_approval_threshold
    now = timezone.now()
    compensation = Compensation.objects.create(
        organization_id=complaint.organization_id,
        hotel_id=complaint.hotel_id,
        complaint=complaint,
        kind=kind,
        amount=amount,
        currency=complaint.hotel.currency,
        gift=(gift or "").strip()[:200],
        value=value,
        note=(note or "")[:300],
        proposed_by=actor,
        status=CompensationStatus.PROPOSED if needs_approval else CompensationStatus.APPROVED,
        decided_by=None if needs_approval else actor,
        decided_at=None if needs_approval else now,
    )
    audit_record(
        action="complaint.compensation_propose",
        hotel=complaint.hotel,
        actor=actor,
        obj=complaint,
        request=request,
        extra={"compensation": compensation.pk, "value": str(value), "needs_approval": needs_approval},
    )
    if needs_approval:
        from notifications.services import notify

        managers = get_user_model().objects.filter(
            pk__in=_staff_ids_of_hotel(complaint.hotel, roles=[Role.MANAGER]) - {getattr(actor, "pk", None)}
        )
        notify(
            organization=complaint.organization_id,
            hotel=complaint.hotel,
            recipients=list(managers),
            kind="complaint_compensation",
            dedupe_key=f"complaint-compensation:{compensation.pk}",
            title=gettext_noop("Compensation for complaint #%(number)s needs your approval"),
            body=gettext_noop("%(value)s %(currency)s proposed at %(hotel)s."),
            params={
                "number": complaint.pk,
                "value": str(value),
                "currency": complaint.hotel.currency,
                "hotel": complaint.hotel.name,
            },
            url=reverse("complaints:detail", args=[complaint.pk]),
        )
    return compensation


@transaction.atomic
def compensation_decide(*, compensation, actor, approve, note="", request=None):
    """A manager's decision. The row lock makes two managers deciding at once decide once."""
    locked = Compensation.objects.for_org(compensation.organization_id).select_for_update().get(pk=compensation.pk)
    if locked.status != CompensationStatus.PROPOSED:
        raise ComplaintError(_("This compensation was already decided."))
    if locked.proposed_by_id and locked.proposed_by_id == getattr(actor, "pk", None):
        raise ComplaintError(_("Another manager must approve a compensation you proposed."))
    locked.status = CompensationStatus.APPROVED if approve else CompensationStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    if note:
        locked.note = note[:300]
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit_record(
        action="complaint.compensation_" + ("approve" if approve else "reject"),
        hotel=locked.hotel,
        actor=actor,
        obj=locked.complaint,
        request=request,
        reason=note,
        extra={"compensation": locked.pk, "value": str(locked.value)},
    )
    return locked


# --- attachments ----------------------------------------------------------------------------------

IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image_type(head):
    """The image type the bytes really are (not what the name or browser claims), or None."""
    for signature, content_type in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@transaction.atomic
def attachment_add(*, complaint, actor, upload, request=None):
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise AttachmentRejected(
            _("The photo is too large: at most %(mb)s MB.") % {"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    if upload.size == 0:
        raise AttachmentRejected(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_image_type(head)
    if content_type is None:
        raise AttachmentRejected(_("Only photos can be attached (JPEG, PNG, GIF or WebP)."))
    if (
        Attachment.objects.for_org(complaint.organization_id).filter(complaint=complaint).count()
        >= ATTACHMENTS_PER_COMPLAINT
    ):
        raise AttachmentRejected(_("A complaint holds at most %(n)s photos.") % {"n": ATTACHMENTS_PER_COMPLAINT})
    attachment = Attachment(
        organization_id=complaint.organization_id,
        hotel_id=complaint.hotel_id,
        complaint=complaint,
        content_type=content_type,
        size=upload.size,
        original_name=(getattr(upload, "name", "") or "photo")[-200:],
        uploaded_by=actor,
    )
    attachment.file.save("photo", upload, save=False)
    attachment.save()
    audit_record(
        action="complaint.attachment_add",
        hotel=complaint.hotel,
        actor=actor,
        obj=complaint,
        request=request,
        extra={"attachment": attachment.pk, "type": content_type, "size": upload.size},
    )
    return attachment


# --- the guest's feedback link --------------------------------------------------------------------


def _token_hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def feedback_link_create(*, complaint, actor, days=FEEDBACK_LINK_DAYS, request=None):
    """A new single-use link for the guest; returns (token row, raw token). Only the hash is kept."""
    if complaint.status not in (Status.RESOLVED, Status.FOLLOW_UP_DONE, Status.CLOSED):
        raise ComplaintError(_("Ask the guest for feedback once the complaint is resolved."))
    raw = secrets.token_urlsafe(32)
    token = FeedbackToken.objects.create(
        organization_id=complaint.organization_id,
        hotel_id=complaint.hotel_id,
        complaint=complaint,
        token_hash=_token_hash(raw),
        expires_at=timezone.now() + datetime.timedelta(days=days),
        created_by=actor,
    )
    audit_record(action="complaint.feedback_link", hotel=complaint.hotel, actor=actor, obj=complaint, request=request)
    return token, raw


def feedback_token_get(*, raw_token):
    """The live token for a raw link value, or None (unknown, used or expired look the same)."""
    if not raw_token or len(raw_token) > 100:
        return None
    # The public page has no tenant yet: the unguessable hash is what scopes it to one complaint.
    token = (
        FeedbackToken.objects.all_tenants_unscoped()
        .select_related("complaint", "hotel")
        .filter(token_hash=_token_hash(raw_token))
        .first()
    )
    if token is None or token.used_at is not None or token.expires_at <= timezone.now():
        return None
    # The guest's page runs in the complaint's organization from here on (row-level security).
    rls.activate(token.organization_id)
    return token


@transaction.atomic
def feedback_submit(*, raw_token, score, comment="", request=None):
    """The guest rates the handling. A low score (1-2) reopens the case, or flags it if it cannot reopen."""
    found = feedback_token_get(raw_token=raw_token)
    if found is None:
        raise FeedbackLinkInvalid(_("This link has expired or was already used."))
    token = FeedbackToken.objects.for_org(found.organization_id).select_for_update().get(pk=found.pk)
    if token.used_at is not None:  # a double submit raced us to the lock
        raise FeedbackLinkInvalid(_("This link has expired or was already used."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ComplaintError(code="invalid", fields={"score": _("Give a score from 1 to 5.")})
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])
    complaint = _locked(token.complaint, None)
    complaint.satisfaction = score
    complaint.satisfaction_comment = (comment or "").strip()[:2000]
    complaint.satisfaction_source = "guest"
    fields = ["satisfaction", "satisfaction_comment", "satisfaction_source", "version", "updated_at"]
    if score <= LOW_SATISFACTION:
        complaint.is_flagged = True
        fields.append("is_flagged")
    complaint.version += 1
    complaint.save(update_fields=fields)
    audit_record(
        action="complaint.feedback",
        hotel=complaint.hotel,
        actor=None,
        actor_label="guest",
        obj=complaint,
        request=request,
        extra={"score": score},
    )
    if score <= LOW_SATISFACTION and "reopen" in workflow.allowed_actions(complaint.status):
        complaint = complaint_transition(
            complaint=complaint,
            action="reopen",
            actor=None,
            actor_label="guest",
            note=_("The guest rated the handling %(score)s of 5.") % {"score": score},
        )
    return complaint


# --- escalation -----------------------------------------------------------------------------------

ESCALATION_TEXT = {
    Threshold.AT_RISK: (
        gettext_noop("Complaint #%(number)s is at risk of missing its resolve time"),
        gettext_noop("%(category)s at %(hotel)s, due %(due)s."),
    ),
    Threshold.BREACH: (
        gettext_noop("Complaint #%(number)s missed its resolve time"),
        gettext_noop("%(category)s at %(hotel)s was due %(due)s."),
    ),
    Threshold.HARD_LIMIT: (
        gettext_noop("Complaint #%(number)s passed the hard limit"),
        gettext_noop("%(category)s at %(hotel)s is still open after the hard limit of %(due)s."),
    ),
}


def _escalation_recipients(complaint, threshold):
    users = get_user_model().objects
    managers = _staff_ids_of_hotel(complaint.hotel, roles=[Role.MANAGER])
    head_id = complaint.department.head_id if complaint.department_id else None
    if threshold == Threshold.AT_RISK:
        ids = {complaint.assignee_id} if complaint.assignee_id else ({head_id} if head_id else managers)
    elif threshold == Threshold.BREACH:
        ids = set(managers) | ({head_id} if head_id else set())
    else:
        general_manager = hotel_settings(hotel=complaint.hotel).general_manager_id
        ids = (
            {general_manager}
            if general_manager
            else set(
                Membership.objects.for_org(complaint.organization_id)
                .filter(role=Role.GROUP_ADMIN)
                .values_list("user_id", flat=True)
            )
            or set(managers)
        )
    ids.discard(None)
    return list(users.filter(pk__in=ids, is_active=True).order_by("pk"))


def complaint_escalate(*, organization_id, complaint_id, now=None):
    """Announce every threshold of one complaint that is due and not yet announced. Safe to repeat.

    The Escalation row (unique per complaint and threshold) and the notifications are written in
    one transaction: a rerun, a retry after a worker died, or a second scanner finds the row (or
    waits on the complaint's lock and then finds it) and sends nothing again.
    """
    now = now or timezone.now()
    fired_now = []
    with transaction.atomic():
        # skip_locked: a complaint someone is editing right now is picked up by the next scan.
        # of=("self",): lock only the complaint row (the department join is an outer one).
        complaint = (
            Complaint.objects.for_org(organization_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("hotel__organization", "department")
            .filter(pk=complaint_id)
            .first()
        )
        if complaint is None:
            return fired_now
        if complaint.status not in OPEN_STATUSES:
            if complaint.next_escalation_at is not None:
                Complaint.objects.for_org(organization_id).filter(pk=complaint.pk).update(next_escalation_at=None)
            return fired_now
        from notifications.services import notify

        percent = at_risk_percent(organization_id=organization_id)
        fired = set(
            Escalation.objects.for_org(organization_id).filter(complaint=complaint).values_list("threshold", flat=True)
        )
        hotel = complaint.hotel
        for threshold, when in workflow.threshold_times(complaint, percent):
            if when > now or threshold in fired:
                continue
            try:
                with transaction.atomic():
                    escalation = Escalation.objects.create(
                        organization_id=organization_id, hotel=hotel, complaint=complaint, threshold=threshold
                    )
            except IntegrityError:
                fired.add(threshold)
                continue
            due = complaint.hard_due_at if threshold == Threshold.HARD_LIMIT else complaint.resolve_due_at
            title, body = ESCALATION_TEXT[threshold]
            created = notify(
                organization=organization_id,
                hotel=hotel,
                recipients=_escalation_recipients(complaint, threshold),
                kind=f"complaint_{threshold}",
                dedupe_key=f"complaint:{complaint.pk}:{threshold}",
                title=title,
                body=body,
                url=reverse("complaints:detail", args=[complaint.pk]),
                params={
                    "number": complaint.pk,
                    "hotel": hotel.name,
                    "category": complaint.category,
                    "due": timezone.localtime(due, hotel.tz).strftime("%Y-%m-%d %H:%M %Z"),
                },
            )
            escalation.recipients = len(created)
            escalation.save(update_fields=["recipients"])
            audit_record(
                action=f"complaint.escalate_{threshold}",
                organization=hotel.organization,
                hotel=hotel,
                actor_label="escalation job",
                obj=complaint,
                extra={"threshold": threshold, "recipients": [n.recipient_id for n in created]},
            )
            fired.add(threshold)
            fired_now.append(threshold)
        complaint.next_escalation_at = _next_escalation_at(complaint, fired=fired, percent=percent)
        # No version bump: the scan changes nothing a person edits, so it must not make their form stale.
        Complaint.objects.for_org(organization_id).filter(pk=complaint.pk).update(
            next_escalation_at=complaint.next_escalation_at
        )
    return fired_now


def complaints_escalate_due(*, now=None, limit=500):
    """The scan: complaints whose next threshold has come, oldest first, each in its own transaction."""
    now = now or timezone.now()
    # Across tenants by design: the scan is the dispatcher; each complaint is then handled in its tenant.
    due = list(
        Complaint.objects.all_tenants_unscoped()
        .filter(next_escalation_at__lte=now)
        .order_by("next_escalation_at")
        .values_list("organization_id", "pk")[:limit]
    )
    fired = 0
    for organization_id, complaint_id in due:
        fired += len(complaint_escalate(organization_id=organization_id, complaint_id=complaint_id, now=now))
    return {"scanned": len(due), "fired": fired}
