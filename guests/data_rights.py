"""Data-subject rights (PIPL arts. 44-47, GDPR arts. 15-20): access to everything held, and erasure.

Correction is the ordinary edit form. Erasure anonymises rather than deletes: the profile row
stays, with its stays (dates, hotel, revenue), so occupancy and revenue statistics do not change;
everything that identifies the person goes.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guests.exceptions import GuestError
from guests.models import (
    Gender,
    GuestContact,
    GuestPreference,
    GuestProfile,
    GuestProfileUserObjectPermission,
    SpecialDate,
    Stay,
)
from hotelcrm.audit import audit_record
from hotelcrm.models import AuditEvent

ERASED_NAME = "Erased guest"
# Profile columns that are not personal data about the guest, or are internal: left out of the export.
_NOT_EXPORTED = {"organization", "search_name", "document_blind_index", "merged_into", "relationship_owner"}


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


def guest_personal_data(*, guest):
    """Everything held on one guest, decrypted, as plain JSON-ready data. A constant number of queries."""
    organization_id = guest.organization_id
    profile = {
        f.name: _plain(getattr(guest, f.attname))
        for f in GuestProfile._meta.concrete_fields
        if f.name not in _NOT_EXPORTED
    }
    profile["relationship_owner_id"] = guest.relationship_owner_id
    contacts = [
        {
            "kind": c.kind,
            "value": c.value,
            "label": c.label,
            "is_primary": c.is_primary,
            "created_at": _plain(c.created_at),
        }
        for c in GuestContact.objects.for_org(organization_id).filter(guest=guest).order_by("pk")
    ]
    stays = [
        {
            "hotel": s.hotel.name,
            "pms_reservation_id": s.pms_reservation_id,
            "arrival_on": _plain(s.arrival_on),
            "departure_on": _plain(s.departure_on),
            "room_number": s.room_number,
            "room_type": s.room_type,
            "rate_code": s.rate_code,
            "channel": s.channel,
            "status": s.status,
            "room_revenue": _plain(s.room_revenue),
            "fb_revenue": _plain(s.fb_revenue),
            "other_revenue": _plain(s.other_revenue),
            "currency": s.hotel.currency,
        }
        for s in Stay.objects.for_org(organization_id)
        .filter(guest=guest)
        .select_related("hotel")
        .order_by("arrival_on", "pk")
    ]
    preferences = [
        {
            "code": p.preference_type.code,
            "name": p.preference_type.name,
            "category": p.preference_type.category,
            "is_sensitive": p.preference_type.is_sensitive,
            "value": p.sensitive_value if p.preference_type.is_sensitive else p.value,
            "recorded_at": _plain(p.recorded_at),
        }
        for p in GuestPreference.objects.for_org(organization_id)
        .filter(guest=guest)
        .select_related("preference_type")
        .order_by("pk")
    ]
    special_dates = [
        {
            "kind": d.kind,
            "label": d.label,
            "calendar": d.calendar,
            "month": d.month,
            "day": d.day,
            "is_leap_month": d.is_leap_month,
            "year": d.year,
        }
        for d in SpecialDate.objects.for_org(organization_id).filter(guest=guest).order_by("pk")
    ]
    events = [
        {
            "occurred_at": _plain(e.occurred_at),
            "action": e.action,
            "actor": e.actor.get_username() if e.actor else e.actor_label,
            "fields": e.fields,
            "reason": e.reason,
        }
        for e in guest_audit_events(guest=guest).select_related("actor")
    ]
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": profile,
        "contacts": contacts,
        "stays": stays,
        "preferences": preferences,
        "special_dates": special_dates,
        "audit_events": events,
    }


def guest_audit_events(*, guest):
    return (
        AuditEvent.objects.for_org(guest.organization_id)
        .filter(
            object_type=GuestProfile._meta.label_lower,
            object_id=str(guest.pk),
        )
        .order_by("occurred_at", "pk")
    )


@transaction.atomic
def guest_dsr_export_record(*, guest, actor, request=None, hotel=None):
    audit_record(
        action="guest.dsr_export", organization=guest.organization, hotel=hotel, actor=actor, obj=guest, request=request
    )


@transaction.atomic
def guest_erase(*, guest, actor, reason, request=None, hotel=None, actor_label=""):
    """Anonymise a guest on request. Stays are kept, so aggregate statistics stay intact."""
    reason = (reason or "").strip()
    if not reason:
        raise GuestError(_("State why the guest's data is erased (for example, the guest's request and its date)."))
    # Lock the profile: an edit racing the erasure must not write a name back after it.
    guest = GuestProfile.objects.for_org(guest.organization_id).select_for_update().get(pk=guest.pk)
    if guest.is_anonymised:
        raise GuestError(_("This guest's data has already been erased."))
    organization_id = guest.organization_id
    counts = {
        "contacts": GuestContact.objects.for_org(organization_id).filter(guest=guest).delete()[0],
        "preferences": GuestPreference.objects.for_org(organization_id).filter(guest=guest).delete()[0],
        "special_dates": SpecialDate.objects.for_org(organization_id).filter(guest=guest).delete()[0],
        "permissions": GuestProfileUserObjectPermission.objects.for_org(organization_id)
        .filter(content_object=guest)
        .delete()[0],
    }
    cleared = dict(
        family_name=ERASED_NAME,
        given_name="",
        native_name="",
        title="",
        gender=Gender.UNKNOWN,
        preferred_language="",
        languages=[],
        birth_date="",
        birthday_index="",
        birth_date_index="",
        birth_decade=None,
        address="",
        document_type="",
        document_number="",
        document_blind_index="",
        company="",
        position="",
        occupation="",
        consent_email=False,
        consent_email_at=None,
        consent_email_source="",
        consent_sms=False,
        consent_sms_at=None,
        consent_sms_source="",
        consent_phone=False,
        consent_phone_at=None,
        consent_phone_source="",
        sensitive_consent=False,
        sensitive_consent_at=None,
        sensitive_consent_purpose="",
        do_not_contact=True,
        status_reason="",
        tags=[],
        notes="",
        pms_profile_id="",
        is_anonymised=True,
    )
    for name, value in cleared.items():
        setattr(guest, name, value)
    guest.save()
    # Earlier audit events are append-only (a database trigger refuses UPDATE): they stay as recorded.
    audit_record(
        action="guest.erased",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        reason=reason,
        request=request,
        extra=counts,
        actor_label=actor_label,
    )
    return guest
