"""Who may open which guest profile.

A profile is restricted when the guest asked for confidential service. Managers and group
admins open restricted profiles by their role (they decide access requests); anyone else needs
the guardian object permission `guests.open_confidential_guestprofile` on that profile, granted
for a limited time when a manager approves an access request.
"""

import datetime

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guests.exceptions import GuestError
from guests.models import (
    AccessRequest,
    AccessRequestStatus,
    GuestContact,
    GuestPreference,
    GuestProfile,
    GuestProfileUserObjectPermission,
)
from hotelcrm.audit import audit_record
from hotelcrm.models import Role
from hotelcrm.permissions import has_role_at_least

OPEN_CONFIDENTIAL = "open_confidential_guestprofile"


def openable_profile_ids(*, request, guests):
    """Ids of `guests` the requesting staff member may open: one query, whatever the number of rows."""
    guests = list(guests)
    restricted = [guest.pk for guest in guests if guest.is_restricted]
    open_ids = {guest.pk for guest in guests if not guest.is_restricted}
    if not restricted:
        return open_ids
    if has_role_at_least(request, Role.MANAGER):
        return open_ids | set(restricted)
    # A grant whose time is up stops working at once, not only when the beat job deletes its row:
    # a row backed only by lapsed approvals is ignored. Still one query (the tests pin it).
    now = timezone.now()
    approvals = AccessRequest.objects.for_org(request.organization).filter(
        requested_by_id=OuterRef("user_id"),
        guest_id=OuterRef("content_object_id"),
        status=AccessRequestStatus.APPROVED,
    )
    lapsed = approvals.filter(expires_at__lte=now)
    live = approvals.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    granted = (
        GuestProfileUserObjectPermission.objects.for_org(request.organization)
        .filter(
            user=request.user,
            permission__codename=OPEN_CONFIDENTIAL,
            content_object_id__in=restricted,
        )
        .filter(~Exists(lapsed) | Exists(live))
        .values_list("content_object_id", flat=True)
    )
    return open_ids | set(granted)


def can_open_profile(*, request, guest):
    return guest.pk in openable_profile_ids(request=request, guests=[guest])


# --- Access requests, grants and the audited sensitive section ---------------------------------
# Services (writes) first, then the reads the views use. Errors subclass GuestError so the UI
# shows their message; they live here because they belong to this feature alone.

MAX_GRANT = datetime.timedelta(days=30)
EXPIRY_JOB_LABEL = "revoke_expired_access_grants"


class AccessRequestError(GuestError):
    code = "access_request_error"


class AccessRequestAlreadyWaiting(AccessRequestError):
    code = "access_request_already_waiting"


class AccessRequestAlreadyDecided(AccessRequestError):
    code = "access_request_already_decided"


class AccessRequestNotGranted(AccessRequestError):
    code = "access_request_not_granted"


class InvalidGrantExpiry(AccessRequestError):
    code = "invalid_grant_expiry"


def _open_permission():
    return Permission.objects.get(content_type__app_label="guests", codename=OPEN_CONFIDENTIAL)


def _lock_request(access_request):
    # Two managers may decide the same request at the same moment: the row lock makes the second
    # wait, then see the first decision and be refused, so one request never grants twice.
    return (
        AccessRequest.objects.for_org(access_request.organization_id)
        .select_for_update(of=("self",))
        .select_related("guest", "requested_by", "hotel")
        .get(pk=access_request.pk)
    )


def _live_grants(*, organization_id, user_id, guest_id, now, exclude_pk=None):
    grants = (
        AccessRequest.objects.for_org(organization_id)
        .filter(
            requested_by_id=user_id,
            guest_id=guest_id,
            status=AccessRequestStatus.APPROVED,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    )
    if exclude_pk is not None:
        grants = grants.exclude(pk=exclude_pk)
    return grants


def _delete_permission_row(*, organization_id, user_id, guest_id):
    return (
        GuestProfileUserObjectPermission.objects.for_org(organization_id)
        .filter(
            user_id=user_id,
            content_object_id=guest_id,
            permission__codename=OPEN_CONFIDENTIAL,
        )
        .delete()[0]
    )


def validate_grant_expiry(expires_at, *, now=None):
    now = now or timezone.now()
    if expires_at is None or timezone.is_naive(expires_at):
        raise InvalidGrantExpiry(_("Choose when the access ends."))
    if expires_at <= now:
        raise InvalidGrantExpiry(_("The access must end in the future."))
    if expires_at > now + MAX_GRANT:
        raise InvalidGrantExpiry(_("Access can be granted for at most 30 days."))
    return expires_at


@transaction.atomic
def access_request_create(*, guest, actor, hotel, reason, request=None):
    """A staff member asks a manager to open a confidential profile; one waiting request per person and guest."""
    reason = (reason or "").strip()
    if not reason:
        raise AccessRequestError(_("State why you need to open this profile."))
    if len(reason) > 500:
        raise AccessRequestError(_("The reason has at most 500 characters."))
    if hotel.organization_id != guest.organization_id:
        raise AccessRequestError(_("This guest belongs to another organization."))
    # There is no unique constraint for "one pending request per person and guest", so two
    # submissions at once are serialised on the guest row; the second then sees the first.
    GuestProfile.objects.for_org(guest.organization_id).select_for_update().filter(pk=guest.pk).first()
    waiting = AccessRequest.objects.for_org(guest.organization_id).filter(
        guest=guest, requested_by=actor, status=AccessRequestStatus.PENDING
    )
    if waiting.exists():
        raise AccessRequestAlreadyWaiting(_("Your request for this profile is already waiting for a manager."))
    access_request = AccessRequest.objects.create(
        organization_id=guest.organization_id,
        hotel=hotel,
        guest=guest,
        requested_by=actor,
        reason=reason,
    )
    audit_record(
        action="guest.access_requested",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        reason=reason,
        request=request,
        extra={"access_request_id": access_request.pk},
    )
    return access_request


@transaction.atomic
def access_request_approve(*, access_request, actor, expires_at, note="", request=None):
    """Grant the requester the guardian permission on the guest until `expires_at` (at most 30 days)."""
    locked = _lock_request(access_request)
    if locked.status != AccessRequestStatus.PENDING:
        raise AccessRequestAlreadyDecided(
            _("This request was already decided (%(status)s).") % {"status": locked.get_status_display()}
        )
    if locked.requested_by_id == getattr(actor, "pk", None):
        raise AccessRequestError(_("You cannot decide your own request."))
    now = timezone.now()
    validate_grant_expiry(expires_at, now=now)
    note = (note or "").strip()[:500]
    GuestProfileUserObjectPermission.objects.for_org(locked.organization_id).get_or_create(
        organization_id=locked.organization_id,
        user_id=locked.requested_by_id,
        content_object_id=locked.guest_id,
        permission=_open_permission(),
    )
    locked.status = AccessRequestStatus.APPROVED
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_note = note
    locked.expires_at = expires_at
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "expires_at"])
    audit_record(
        action="guest.access_granted",
        organization=locked.guest.organization,
        hotel=locked.hotel,
        actor=actor,
        obj=locked.guest,
        reason=locked.reason,
        request=request,
        extra={
            "access_request_id": locked.pk,
            "grantee_id": locked.requested_by_id,
            "grantee": locked.requested_by.get_username(),
            "expires_at": expires_at.isoformat(),
            "note": note,
        },
    )
    return locked


@transaction.atomic
def access_request_deny(*, access_request, actor, note="", request=None):
    locked = _lock_request(access_request)
    if locked.status != AccessRequestStatus.PENDING:
        raise AccessRequestAlreadyDecided(
            _("This request was already decided (%(status)s).") % {"status": locked.get_status_display()}
        )
    if locked.requested_by_id == getattr(actor, "pk", None):
        raise AccessRequestError(_("You cannot decide your own request."))
    note = (note or "").strip()[:500]
    locked.status = AccessRequestStatus.DENIED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action="guest.access_denied",
        organization=locked.guest.organization,
        hotel=locked.hotel,
        actor=actor,
        obj=locked.guest,
        reason=locked.reason,
        request=request,
        extra={
            "access_request_id": locked.pk,
            "grantee_id": locked.requested_by_id,
            "grantee": locked.requested_by.get_username(),
            "note": note,
        },
    )
    return locked


@transaction.atomic
def access_grant_revoke(*, access_request, actor, note="", request=None):
    """A manager ends a grant early: the person loses the profile now, whatever other grant they held."""
    locked = _lock_request(access_request)
    now = timezone.now()
    if locked.status != AccessRequestStatus.APPROVED or (locked.expires_at and locked.expires_at <= now):
        raise AccessRequestNotGranted(_("This access is no longer granted."))
    note = (note or "").strip()[:500]
    others = _live_grants(
        organization_id=locked.organization_id,
        user_id=locked.requested_by_id,
        guest_id=locked.guest_id,
        now=now,
        exclude_pk=locked.pk,
    )
    revoked_ids = [locked.pk] + list(others.select_for_update().values_list("pk", flat=True))
    AccessRequest.objects.for_org(locked.organization_id).filter(pk__in=revoked_ids).update(
        status=AccessRequestStatus.REVOKED,
        decision_note=note or locked.decision_note,
    )
    _delete_permission_row(
        organization_id=locked.organization_id, user_id=locked.requested_by_id, guest_id=locked.guest_id
    )
    audit_record(
        action="guest.access_revoked",
        organization=locked.guest.organization,
        hotel=locked.hotel,
        actor=actor,
        obj=locked.guest,
        reason=note,
        request=request,
        extra={
            "access_request_ids": revoked_ids,
            "grantee_id": locked.requested_by_id,
            "grantee": locked.requested_by.get_username(),
            "cause": "manager",
        },
    )
    locked.refresh_from_db()
    return locked


def _expire_one(*, access_request_id, now):
    """Expire one grant in its own transaction; False if another run (or a manager) got there first."""
    with transaction.atomic():
        # The sweep crosses tenants by nature; the row is re-read under lock and re-checked, so two
        # overlapping runs (beat firing while a slow run is still going) expire it once.
        locked = (
            AccessRequest.objects.all_tenants_unscoped()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("guest__organization", "requested_by", "hotel")
            .filter(pk=access_request_id, status=AccessRequestStatus.APPROVED, expires_at__lte=now)
            .first()
        )
        if locked is None:
            return False
        locked.status = AccessRequestStatus.EXPIRED
        locked.save(update_fields=["status"])
        # Another grant of the same person and guest that runs longer keeps the permission row.
        still_granted = _live_grants(
            organization_id=locked.organization_id, user_id=locked.requested_by_id, guest_id=locked.guest_id, now=now
        ).exists()
        if not still_granted:
            _delete_permission_row(
                organization_id=locked.organization_id, user_id=locked.requested_by_id, guest_id=locked.guest_id
            )
        audit_record(
            action="guest.access_revoked",
            organization=locked.guest.organization,
            hotel=locked.hotel,
            actor_label=EXPIRY_JOB_LABEL,
            obj=locked.guest,
            extra={
                "access_request_ids": [locked.pk],
                "grantee_id": locked.requested_by_id,
                "grantee": locked.requested_by.get_username(),
                "cause": "expired",
                "expires_at": locked.expires_at.isoformat(),
                "permission_kept": still_granted,
            },
        )
        return True


def access_grants_revoke_expired(*, now):
    """Revoke every grant whose end has passed, each in its own transaction; returns how many.

    Safe to run again and concurrently: a grant already expired is not found a second time.
    """
    # The job serves every organization: the one unscoped read, ids only.
    due = list(
        AccessRequest.objects.all_tenants_unscoped()
        .filter(status=AccessRequestStatus.APPROVED, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)[:10_000]
    )
    return sum(1 for pk in due if _expire_one(access_request_id=pk, now=now))


SENSITIVE_CONTACT_FIELDS = ("birth_date", "address")
CONSENT_FIELDS = ("document_type", "document_number")


@transaction.atomic
def guest_sensitive_view_record(*, guest, actor, hotel, fields, reason, reason_code="", request=None):
    """The audit event of one look at a guest's sensitive section, recorded before anything is shown."""
    return audit_record(
        action="guest.view_sensitive",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        fields=fields,
        reason=reason,
        request=request,
        extra={"reason_code": reason_code},
    )


# --- Reads -----------------------------------------------------------------------------------


def access_request_scope(*, request):
    """The requests a manager decides: their hotel's; a group admin's: the whole organization's."""
    requests = AccessRequest.objects.for_org(request.organization)
    if not has_role_at_least(request, Role.GROUP_ADMIN):
        requests = requests.filter(hotel_id=getattr(request.hotel, "pk", None))
    return requests


def access_request_get_for_decider(*, request, access_request_id):
    return access_request_scope(request=request).filter(pk=access_request_id).first()


def access_request_queue(*, request):
    return (
        access_request_scope(request=request)
        .filter(status=AccessRequestStatus.PENDING)
        .select_related("guest", "requested_by", "hotel")
        .order_by("created_at", "pk")
    )


def access_grants_active(*, request, now=None):
    now = now or timezone.now()
    return (
        access_request_scope(request=request)
        .filter(status=AccessRequestStatus.APPROVED)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("guest", "requested_by", "hotel", "decided_by")
        .order_by("expires_at", "pk")
    )


def access_request_pending_for(*, guest, user):
    return (
        AccessRequest.objects.for_org(guest.organization_id)
        .filter(guest=guest, requested_by=user, status=AccessRequestStatus.PENDING)
        .first()
    )


def guest_sensitive_section(*, guest):
    """What the sensitive section shows, in two queries whatever the number of contacts and preferences.

    Without the guest's separate consent (PIPL art. 29) the document and health parts stay closed:
    their values are not even read.
    """
    contacts = list(
        GuestContact.objects.for_org(guest.organization_id).filter(guest=guest).order_by("kind", "-is_primary", "pk")
    )
    has_consent = guest.sensitive_consent
    preferences = []
    if has_consent:
        preferences = list(
            GuestPreference.objects.for_org(guest.organization_id)
            .filter(guest=guest, preference_type__is_sensitive=True)
            .select_related("preference_type")
            .order_by("preference_type__sort_order", "preference_type__name", "pk")
        )
    fields = [f"contact:{kind}" for kind in sorted({c.kind for c in contacts})]
    fields += list(SENSITIVE_CONTACT_FIELDS)
    if has_consent:
        fields += list(CONSENT_FIELDS)
        fields += [f"preference:{p.preference_type.code}" for p in preferences]
    return {
        "contacts": contacts,
        "birth_date": guest.birth_date,
        "address": guest.address,
        "has_consent": has_consent,
        "document_type": guest.get_document_type_display() if has_consent else "",
        "document_number": guest.document_number if has_consent else "",
        "preferences": preferences,
        "fields": fields,
    }
