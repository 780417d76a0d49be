from hotelcrm.models import Role
from notifications.models import EmailStatus, Notification


def fill(tenant, label):
    Notification.objects.create(
        organization=tenant.organization,
        hotel=tenant.hotels[0],
        recipient=tenant.users[Role.MANAGER],
        kind="test",
        title=f"{label} notice",
        dedupe_key=f"{label}-notice",
        email_status=EmailStatus.SKIPPED,
    )
