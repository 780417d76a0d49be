import datetime

from care.models import Campaign, CampaignKind, CareSettings, Channel
from guests import services as guest_services
from tests.factories import GuestFactory, StayFactory


def care_guest(
    tenant,
    hotel,
    *,
    name,
    email=None,
    phone=None,
    birthday=None,
    language="en",
    nationality="GB",
    consent=True,
    **fields,
):
    """A guest who stayed at `hotel`, with consent and contacts for email/SMS."""
    guest = GuestFactory(
        organization=tenant.organization,
        family_name=name,
        given_name="Test",
        preferred_language=language,
        nationality=nationality,
        consent_email=consent,
        consent_sms=consent,
        consent_phone=consent,
        **fields,
    )
    actor = None
    if email:
        guest_services.guest_contact_add(guest=guest, kind="email", raw_value=email, actor=actor)
    if phone:
        guest_services.guest_contact_add(guest=guest, kind="phone", raw_value=phone, actor=actor)
    if birthday:
        guest_services.guest_birth_date_set(guest=guest, birth_date=birthday, actor=actor)
    StayFactory(
        hotel=hotel,
        organization=tenant.organization,
        guest=guest,
        arrival_on=datetime.date(2025, 3, 1),
        departure_on=datetime.date(2025, 3, 3),
        status="checked_out",
    )
    return guest


def campaign(hotel, *, kind=CampaignKind.BIRTHDAY, channel=Channel.EMAIL, name=None, created_days_ago=2000, **fields):
    made = Campaign.objects.create(
        organization=hotel.organization,
        hotel=hotel,
        kind=kind,
        channel=channel,
        name=name or f"{kind} {channel}",
        **fields,
    )
    # Campaigns greet from the day they were created on: date them back for tests of past days.
    Campaign.objects.for_hotel(hotel).filter(pk=made.pk).update(
        created_at=made.created_at - datetime.timedelta(days=created_days_ago)
    )
    made.refresh_from_db()
    return made


def care_settings(hotel, **fields):
    row, _created = CareSettings.objects.for_hotel(hotel).update_or_create(
        defaults=fields, organization_id=hotel.organization_id, hotel=hotel
    )
    return row
