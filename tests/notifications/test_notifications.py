"""Staff notifications: once per event, in the app and by email, each reader's own."""

import time

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_noop

from hotelcrm.models import Role
from notifications.models import EmailStatus, Notification
from notifications.services import EmailDeferred, notification_email_send, notify


def _notify(tenant, recipients, key="complaint-7-at-risk", **extra):
    return notify(
        organization=tenant.organization,
        hotel=tenant.hotels[0],
        recipients=recipients,
        kind="complaint.at_risk",
        title=gettext_noop("Notifications"),
        body="Complaint %(number)s needs you.",
        params={"number": "C-7"},
        url=reverse("notifications:list"),
        dedupe_key=key,
        **extra,
    )


def test_each_recipient_is_notified_once_per_key_however_often_the_job_runs(tenants):
    manager, desk = tenants.a.users[Role.MANAGER], tenants.a.users[Role.FRONT_DESK]

    first = _notify(tenants.a, [manager, desk, manager], email=False)
    again = _notify(tenants.a, [manager, desk], email=False)
    other_event = _notify(tenants.a, [manager], key="complaint-7-breached", email=False)

    assert {n.recipient for n in first} == {manager, desk}
    assert again == []
    assert len(other_event) == 1
    assert Notification.objects.for_org(tenants.a.organization).filter(kind="complaint.at_risk").count() == 3


def test_inactive_users_and_missing_recipients_are_skipped(tenants):
    desk = tenants.a.users[Role.FRONT_DESK]
    desk.is_active = False
    desk.save()
    assert _notify(tenants.a, [desk, None], email=False) == []


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_email_reaches_a_real_smtp_server_once_in_the_organizations_language(
    tenants, celery_worker_process, smtp_server
):
    manager = tenants.a.users[Role.MANAGER]
    tenants.a.organization.default_language = "zh-hans"
    tenants.a.organization.save()

    smtp_server.reset()  # mail the tenant fixture's own notifications caused is not this test's
    with transaction.atomic():
        created = _notify(tenants.a, [manager])

    def ours():
        return [e for e in smtp_server.messages if "Complaint C-7 needs you." in e.content.decode()]

    deadline = time.monotonic() + 30
    while not ours() and time.monotonic() < deadline:
        smtp_server.wait_for(len(smtp_server.messages) + 1, timeout=1)
    _notify(tenants.a, [manager])  # a rerun of the job: nothing new to send

    (envelope,) = ours()
    message = envelope.content.decode()
    assert envelope.rcpt_tos == [manager.email]
    assert "/notifications/" in message
    # The worker commits "sent" just after the SMTP server has the message.
    deadline = time.monotonic() + 10
    while created[0].email_status != EmailStatus.SENT and time.monotonic() < deadline:
        time.sleep(0.2)
        created[0].refresh_from_db()
    assert created[0].email_status == EmailStatus.SENT and created[0].emailed_at is not None
    time.sleep(2)
    assert len(ours()) == 1


def test_an_unreachable_mail_server_is_retried_then_marked_failed(tenants, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    (notification,) = _notify(tenants.a, [tenants.a.users[Role.MANAGER]])
    organization_id = tenants.a.organization.pk

    with pytest.raises(EmailDeferred):
        notification_email_send(organization_id=organization_id, notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.PENDING, 1)
    assert notification.email_error

    assert (
        notification_email_send(organization_id=organization_id, notification_id=notification.pk, final_attempt=True)
        == EmailStatus.FAILED
    )
    # Another organization's id finds nothing to send.
    assert notification_email_send(organization_id=tenants.b.organization.pk, notification_id=notification.pk) is None


def test_the_inbox_shows_only_my_notifications_in_my_language(client, tenants, django_assert_max_num_queries):
    manager, desk = tenants.a.users[Role.MANAGER], tenants.a.users[Role.FRONT_DESK]
    # The tenant fixture's domain rows (complaints, approvals...) may already have told the manager things.
    before = Notification.objects.for_org(tenants.a.organization).filter(recipient=manager).count()
    for number in range(25):
        _notify(tenants.a, [manager], key=f"event-{number}", email=False)
    _notify(tenants.a, [desk], key="for-the-desk", email=False)
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("notifications:list")).content.decode()
    assert page.count('<tr id="notification-') == min(before + 25, 30)  # one page of 30
    assert f'id="unread-count">{before + 25}<' in page
    assert "Complaint C-7 needs you." in page

    client.post(reverse("set_language"), {"language": "zh-hans"})
    assert "通知" in client.get(reverse("notifications:list")).content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, tenants):
    manager, desk = tenants.a.users[Role.MANAGER], tenants.a.users[Role.FRONT_DESK]
    (mine,) = _notify(tenants.a, [manager], email=False)
    (theirs,) = _notify(tenants.a, [desk], key="desk-only", email=False)
    client.force_login(manager)

    response = client.post(reverse("notifications:open", kwargs={"notification_id": mine.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    mine.refresh_from_db()
    assert mine.read_at is not None

    # A colleague's notification answers like a missing one.
    assert client.post(reverse("notifications:open", kwargs={"notification_id": theirs.pk})).status_code == 404
    assert client.get(reverse("notifications:open", kwargs={"notification_id": mine.pk})).status_code == 405


def test_an_outside_link_is_not_followed(client, tenants):
    manager = tenants.a.users[Role.MANAGER]
    (notification,) = notify(
        organization=tenants.a.organization,
        recipients=[manager],
        kind="x",
        title="x",
        url="https://evil.example/",
        dedupe_key="evil",
        email=False,
    )
    client.force_login(manager)
    response = client.post(reverse("notifications:open", kwargs={"notification_id": notification.pk}))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read_clears_the_bell(client, tenants):
    manager = tenants.a.users[Role.MANAGER]
    before = Notification.objects.for_org(tenants.a.organization).filter(recipient=manager).count()
    _notify(tenants.a, [manager], email=False)
    _notify(tenants.a, [manager], key="second", email=False)
    client.force_login(manager)
    assert f'id="unread-count">{before + 2}<' in client.get(reverse("notifications:list")).content.decode()

    client.post(reverse("notifications:read-all"))

    assert 'id="unread-count"' not in client.get(reverse("notifications:list")).content.decode()
