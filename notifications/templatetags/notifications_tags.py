from django import template

from notifications.selectors import unread_notification_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context):
    """Unread count for the signed-in user in the active organization (one indexed COUNT)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    organization = getattr(request, "organization", None)
    if user is None or not user.is_authenticated or organization is None:
        return 0
    return unread_notification_count(user=user, organization=organization)
