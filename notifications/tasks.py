from celery import shared_task

from notifications.services import EmailDeferred, notification_email_send

MAX_EMAIL_RETRIES = 5


@shared_task(
    name="notifications.tasks.send_notification_email_task",
    bind=True,
    ignore_result=True,
    max_retries=MAX_EMAIL_RETRIES,
)
def send_notification_email_task(self, organization_id, notification_id):
    """Email one notification; a rerun after success sends nothing (the row says sent)."""
    try:
        return notification_email_send(
            organization_id=organization_id,
            notification_id=notification_id,
            final_attempt=self.request.retries >= MAX_EMAIL_RETRIES,
        )
    except EmailDeferred as error:
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 1800)) from error
