"""At least one row of every complaints table for a tenant, so isolation tests have its ids."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hotelcrm.models import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fill(tenant, label):
    from complaints import services
    from complaints.models import Department, HotelComplaintSettings, SlaOverride, SlaPolicy

    hotel = tenant.hotels[0]
    manager, relations = tenant.users[Role.MANAGER], tenant.users[Role.GUEST_RELATIONS]
    organization = tenant.organization
    SlaPolicy.objects.create(organization=organization)
    SlaOverride.objects.create(organization=organization, severity="critical", resolve_minutes=240)
    HotelComplaintSettings.objects.create(
        organization=organization, hotel=hotel, general_manager=manager, compensation_approval_threshold=100
    )
    department = Department.objects.create(
        organization=organization, hotel=hotel, name=f"{label} Housekeeping", head=manager
    )
    complaint = services.complaint_create(
        hotel=hotel,
        actor=relations,
        category="lost_property",
        description=f"{label} lost a watch",
        guest=tenant.guests[0],
        department=department,
        assignee=relations,
        room_number="808",
        received_at=timezone.now() - datetime.timedelta(days=3),
    )
    services.attachment_add(
        complaint=complaint, actor=relations, upload=SimpleUploadedFile(f"{label}.png", PNG, content_type="image/png")
    )
    services.compensation_propose(complaint=complaint, actor=relations, kind="amount", amount=500)
    item = complaint.checklist.first()
    services.checklist_item_set(item=item, actor=relations, is_done=True)
    services.complaint_escalate(organization_id=organization.pk, complaint_id=complaint.pk)
    for action in ("acknowledge", "start", "resolve"):
        complaint = services.complaint_transition(complaint=complaint, action=action, actor=relations)
    services.feedback_link_create(complaint=complaint, actor=relations)
