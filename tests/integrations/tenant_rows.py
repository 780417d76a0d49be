import datetime

from django.utils import timezone

from hotelcrm.models import Role
from integrations.models import GuestLink, IdempotencyRecord, StayEventReceipt
from integrations.services import integration_key_create


def fill(tenant, label):
    hotel = tenant.hotels[0]
    integration_key_create(
        hotel=hotel, actor=tenant.users[Role.MANAGER], name=f"{label} PMS", scopes=["guests:read", "stays:write"]
    )
    GuestLink.objects.create(
        organization=tenant.organization, hotel=hotel, pms_profile_id=f"{label}-P1", guest=tenant.guests[0]
    )
    stay = tenant.stays[0]
    StayEventReceipt.objects.create(
        organization=tenant.organization,
        hotel=stay.hotel,
        pms_reservation_id=stay.pms_reservation_id,
        stay=stay,
        last_version=1,
        last_event_at=timezone.now() - datetime.timedelta(days=1),
        last_event="booked",
    )
    IdempotencyRecord.objects.create(
        organization=tenant.organization,
        hotel=hotel,
        key=f"{label}-idem",
        request_hash="0" * 64,
        status_code=200,
        response_body={"ok": True},
    )
