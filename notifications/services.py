"""Telling staff that something needs them: in the app, and by email once."""

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from notifications.models import EmailStatus, Notification

EMAIL_ERROR_LENGTH = 300


def notify(*, organization, recipients, kind, title, body="", url="", hotel=None, dedupe_key, params=None, email=True):
    """Create one notification per recipient, at most once per (recipient, dedupe_key).

    `title` and `body` are English source strings (mark them with gettext_noop) whose
    %(name)s placeholders are filled from `params` when shown, in the reader's language.
    Call it inside the caller's transaction: the rows commit with the change that caused
    them, and each new row is emailed by a Celery task after commit. Returns the
    notifications created now (an already-notified recipient is skipped).
    """
    organization_id = getattr(organization, "pk", organization)
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notification = Notification(
            organization_id=organization_id,
            hotel=hotel,
            recipient=user,
            kind=kind,
            title=str(title)[:300],
            body=str(body),
            params=params or {},
            url=url,
            dedupe_key=dedupe_key[:200],
            email_status=EmailStatus.PENDING if email and user.email else EmailStatus.SKIPPED,
        )
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # this recipient was told already (a rerun, a retry, a race)
        created.append(notification)
    to_email = [n.pk for n in created if n.email_status == EmailStatus.PENDING]
    if to_email:
        from notifications.tasks import send_notification_email_task

        transaction.on_commit(lambda: [send_notification_email_task.delay(organization_id, pk) for pk in to_email])
    return created


class EmailDeferred(Exception):
    """The mail server could not take the message now; the task retries with back-off."""


def notification_email_send(*, organization_id, notification_id, final_attempt=False):
    """Email one notification, once. A sent, skipped or failed one is left alone, so a
    repeated task does nothing. Transient SMTP/network errors raise EmailDeferred.
    """
    deferred = None
    with transaction.atomic():
        notification = (
            Notification.objects.for_org(organization_id)
            .select_for_update(of=("self",))
            .select_related("recipient", "organization")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_status != EmailStatus.PENDING:
            return None
        recipient = notification.recipient
        notification.email_attempts += 1
        if not recipient.email:
            notification.email_status = EmailStatus.SKIPPED
        else:
            with translation.override(notification.organization.default_language or settings.LANGUAGE_CODE):
                subject = notification.rendered_title
                text = notification.rendered_body
            if notification.url:
                text = f"{text}\n\n{settings.SITE_URL}{notification.url}"
            try:
                send_mail(subject, text.strip() or subject, None, [recipient.email])
            except (smtplib.SMTPException, OSError) as error:
                notification.email_error = str(error)[:EMAIL_ERROR_LENGTH]
                if final_attempt:
                    notification.email_status = EmailStatus.FAILED
                else:
                    deferred = error
            else:
                notification.email_status = EmailStatus.SENT
                notification.emailed_at = timezone.now()
                notification.email_error = ""
        notification.save(update_fields=["email_status", "email_attempts", "email_error", "emailed_at"])
    if deferred is not None:  # raised after commit, so the attempt count is kept
        raise EmailDeferred(str(deferred)) from deferred
    return notification.email_status


def notification_mark_read(*, user, organization, notification_ids=None):
    """Mark the user's own notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.for_org(organization).filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
