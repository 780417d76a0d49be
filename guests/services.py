"""State changes of the guest archive: one transaction each, the audit event inside."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guests.birth_dates import birth_date_columns
from guests.catalog import choice_from_input, choice_label, yes_no_from_input
from guests.exceptions import GuestError, SensitiveConsentMissing
from guests.models import ContactKind, GuestContact, GuestPreference, GuestProfile, PreferenceValueType, SpecialDate
from guests.validators import (
    normalise_document,
    normalise_email,
    normalise_phone,
    validate_birth_date,
    validate_guest_codes,
)
from hotelcrm.audit import audit_record
from hotelcrm.crypto import blind_index


def contact_blind_index(kind, raw_value):
    """Normalise a phone or email and return (normalised, blind index); ValidationError if invalid."""
    normalised = normalise_phone(raw_value) if kind == ContactKind.PHONE else normalise_email(raw_value)
    return normalised, blind_index(kind, normalised)


def document_blind_index(document_type, raw_number):
    normalised = normalise_document(document_type, raw_number)
    return normalised, blind_index("document", normalised)


@transaction.atomic
def guest_create(
    *, organization, actor, family_name, given_name="", native_name="", request=None, hotel=None, **fields
):
    validate_guest_codes(fields)
    guest = GuestProfile(
        organization=organization, family_name=family_name, given_name=given_name, native_name=native_name, **fields
    )
    guest.full_clean(exclude=["organization"])
    guest.save()
    audit_record(action="guest.create", organization=organization, hotel=hotel, actor=actor, obj=guest, request=request)
    return guest


@transaction.atomic
def guest_contact_add(*, guest, kind, raw_value, actor, label="", is_primary=False, request=None, hotel=None):
    normalised, index = contact_blind_index(kind, raw_value)
    contact, created = GuestContact.objects.for_org(guest.organization_id).get_or_create(
        guest=guest,
        kind=kind,
        blind_index=index,
        defaults={
            "organization_id": guest.organization_id,
            "value": normalised,
            "label": label,
            "is_primary": is_primary,
        },
    )
    if created:
        audit_record(
            action="guest.contact_add",
            organization=guest.organization,
            hotel=hotel,
            actor=actor,
            obj=guest,
            fields=[kind],
            request=request,
        )
    return contact


@transaction.atomic
def guest_birth_date_set(*, guest, birth_date, actor, request=None, hotel=None):
    validate_birth_date(birth_date)
    guest.birth_date = birth_date.isoformat() if birth_date else ""
    columns = birth_date_columns(guest.organization_id, birth_date or None)
    for name, value in columns.items():
        setattr(guest, name, value)
    guest.save(update_fields=["birth_date", *columns, "updated_at"])
    audit_record(
        action="guest.update",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        fields=["birth_date"],
        request=request,
    )
    return guest


@transaction.atomic
def guest_sensitive_consent_record(*, guest, purpose, actor, request=None, hotel=None):
    if not purpose.strip():
        raise GuestError(str(_("State the purpose the sensitive data is collected for.")))
    guest.sensitive_consent = True
    guest.sensitive_consent_at = timezone.now()
    guest.sensitive_consent_purpose = purpose.strip()[:300]
    guest.save(update_fields=["sensitive_consent", "sensitive_consent_at", "sensitive_consent_purpose", "updated_at"])
    audit_record(
        action="guest.sensitive_consent",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        reason=guest.sensitive_consent_purpose,
        request=request,
    )
    return guest


@transaction.atomic
def guest_document_set(*, guest, document_type, raw_number, actor, request=None, hotel=None):
    if not guest.sensitive_consent:
        raise SensitiveConsentMissing()
    normalised, index = document_blind_index(document_type, raw_number)
    guest.document_type = document_type
    guest.document_number = normalised
    guest.document_blind_index = index
    guest.save(update_fields=["document_type", "document_number", "document_blind_index", "updated_at"])
    audit_record(
        action="guest.update",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        fields=["document_type", "document_number"],
        request=request,
    )
    return guest


def _clean_preference_value(preference_type, value):
    text = (value or "").strip()
    if len(text) > 2000:
        raise ValidationError(_("A preference has at most 2,000 characters."), code="max_length")
    if preference_type.value_type == PreferenceValueType.YES_NO:
        answer = yes_no_from_input(text)
        if answer is None:
            raise ValidationError(_("Answer yes or no (是 or 否)."), code="invalid")
        return answer
    if preference_type.value_type == PreferenceValueType.CHOICE:
        choice = choice_from_input(text, preference_type.choices)
        if choice is None:
            raise ValidationError(
                _("Choose one of: %(choices)s."),
                code="invalid",
                params={"choices": ", ".join(str(choice_label(value)) for value in preference_type.choices)},
            )
        return choice
    return text


@transaction.atomic
def guest_preference_set(*, guest, preference_type, value, actor, request=None, hotel=None):
    """Record or change a guest's preference; sensitive ones are encrypted and need consent."""
    if preference_type.organization_id != guest.organization_id:
        raise GuestError(str(_("This preference belongs to another organization.")))
    text = _clean_preference_value(preference_type, value)
    if preference_type.is_sensitive and not guest.sensitive_consent:
        raise SensitiveConsentMissing()
    preference, _unused = GuestPreference.objects.for_org(guest.organization_id).update_or_create(
        guest=guest,
        preference_type=preference_type,
        defaults={
            "organization_id": guest.organization_id,
            "value": "" if preference_type.is_sensitive else text,
            "sensitive_value": text if preference_type.is_sensitive else "",
            "recorded_by": actor,
        },
    )
    audit_record(
        action="guest.preference_set",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        fields=[preference_type.code],
        request=request,
    )
    return preference


@transaction.atomic
def special_date_add(
    *,
    guest,
    kind,
    month,
    day,
    actor,
    calendar="gregorian",
    is_leap_month=False,
    year=None,
    label="",
    request=None,
    hotel=None,
):
    special = SpecialDate(
        organization_id=guest.organization_id,
        guest=guest,
        kind=kind,
        calendar=calendar,
        month=month,
        day=day,
        is_leap_month=is_leap_month,
        year=year,
        label=label,
        recorded_by=actor,
    )
    special.full_clean(exclude=["organization", "guest"])
    special.save()
    audit_record(
        action="guest.special_date_add",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        fields=[kind],
        request=request,
    )
    return special


# Months until the next credit review, by grade (A: safe, B: normal, C: watch).
CREDIT_REVIEW_MONTHS = {"A": 6, "B": 3, "C": 1}
CONSENT_CHANNELS = ("email", "sms", "phone")


def _add_months(day, months):
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def credit_review_due_on(*, grade, reviewed_on):
    if not grade or reviewed_on is None:
        return None
    return _add_months(reviewed_on, CREDIT_REVIEW_MONTHS[grade])


@transaction.atomic
def guest_update(*, guest, actor, data, request=None, hotel=None):
    """Change a guest's plain (unencrypted) profile fields; records which fields changed.

    A consent flag that changes gets its time stamped now; the next credit review follows the grade.
    """
    # Only the codes that change are checked: an old record with a stray code stays editable.
    validate_guest_codes({name: value for name, value in data.items() if getattr(guest, name) != value})
    changed = []
    for name, value in data.items():
        if getattr(guest, name) != value:
            setattr(guest, name, value)
            changed.append(name)
    now = timezone.now()
    for channel in CONSENT_CHANNELS:
        if f"consent_{channel}" in changed:
            setattr(guest, f"consent_{channel}_at", now)
            changed.append(f"consent_{channel}_at")
    if "credit_grade" in changed or "credit_reviewed_on" in changed:
        due = credit_review_due_on(grade=guest.credit_grade, reviewed_on=guest.credit_reviewed_on)
        if due != guest.credit_review_due_on:
            guest.credit_review_due_on = due
            changed.append("credit_review_due_on")
    if not changed:
        return guest
    guest.full_clean(exclude=["organization", "relationship_owner", "merged_into"])
    guest.save(update_fields=[*changed, "updated_at"])
    audit_record(
        action="guest.update",
        organization=guest.organization,
        hotel=hotel,
        actor=actor,
        obj=guest,
        fields=changed,
        request=request,
    )
    return guest
