from notifications.models import Notification


def notifications_for_user(*, user, organization, unread_only=False):
    rows = Notification.objects.for_org(organization).filter(recipient=user).select_related("hotel")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_notification_count(*, user, organization):
    return Notification.objects.for_org(organization).filter(recipient=user, read_at__isnull=True).count()
