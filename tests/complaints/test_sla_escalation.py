"""SLA clocks in the hotel's zone (DST included) and the escalation notices, each sent exactly once."""

import datetime
import email
import email.policy
import threading
import time
import zoneinfo

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from complaints import services, workflow
from complaints.models import Complaint, Escalation, SlaOverride
from hotelcrm.models import Role
from notifications.models import Notification

UTC = datetime.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _local(tz, *args):
    return datetime.datetime(*args, tzinfo=tz)


def _create(tenant, hotel_index=0, **kwargs):
    kwargs.setdefault("category", "service")
    kwargs.setdefault("description", "Waited 40 minutes for room service")
    return services.complaint_create(hotel=tenant.hotels[hotel_index], actor=tenant.users[Role.FRONT_DESK], **kwargs)


def test_default_clocks_are_30_minutes_24_hours_and_48_hours_in_shanghai(tenants):
    received = _local(SHANGHAI, 2026, 3, 28, 10, 0)
    complaint = _create(tenants.a, received_at=received)
    assert complaint.acknowledge_due_at == received + datetime.timedelta(minutes=30)
    assert complaint.resolve_due_at == received + datetime.timedelta(hours=24)
    assert complaint.hard_due_at == received + datetime.timedelta(hours=48)


def test_across_the_spring_change_24_hours_means_this_time_tomorrow_in_london(tenants):
    received = _local(LONDON, 2026, 3, 28, 10, 0)  # GMT; clocks go forward on the 29th
    complaint = _create(tenants.a, hotel_index=1, received_at=received)
    assert complaint.resolve_due_at.astimezone(LONDON).replace(tzinfo=None) == datetime.datetime(2026, 3, 29, 10, 0)
    assert complaint.resolve_due_at - received == datetime.timedelta(hours=23)
    assert complaint.hard_due_at.astimezone(LONDON).replace(tzinfo=None) == datetime.datetime(2026, 3, 30, 10, 0)
    assert complaint.acknowledge_due_at - received == datetime.timedelta(minutes=30)


def test_across_the_autumn_change_the_day_has_25_hours_in_london(tenants):
    received = _local(LONDON, 2026, 10, 24, 10, 0)  # BST; clocks go back on the 25th
    complaint = _create(tenants.a, hotel_index=1, received_at=received)
    assert complaint.resolve_due_at - received == datetime.timedelta(hours=25)
    assert complaint.resolve_due_at.astimezone(LONDON).hour == 10


def test_a_due_time_in_the_missing_hour_is_carried_past_the_gap():
    received = _local(LONDON, 2026, 3, 28, 1, 30)
    due = workflow.add_minutes_in_zone(received, 24 * 60, LONDON)
    assert due == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST: 01:30 does not exist that day
    assert due.astimezone(LONDON).hour == 2


def test_an_ambiguous_due_time_takes_the_first_occurrence():
    received = _local(LONDON, 2026, 10, 24, 1, 30)
    due = workflow.add_minutes_in_zone(received, 24 * 60, LONDON)
    assert due == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, the first of the two


def test_a_severity_override_shortens_the_clock(tenants):
    SlaOverride.objects.for_org(tenants.a.organization).filter(severity="critical").update(
        acknowledge_minutes=5, resolve_minutes=120, hard_limit_minutes=60
    )
    received = timezone.now()
    complaint = _create(tenants.a, severity="critical", received_at=received)
    assert complaint.acknowledge_due_at - received == datetime.timedelta(minutes=5)
    assert complaint.resolve_due_at - received == datetime.timedelta(minutes=120)
    # A hard limit shorter than the resolve time is raised to it.
    assert complaint.hard_due_at == complaint.resolve_due_at


def test_the_queue_shows_due_times_in_the_hotel_s_zone(client, tenants):
    received = _local(SHANGHAI, 2030, 1, 15, 9, 5)
    _create(tenants.a, received_at=received)
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    body = client.get("/complaints/").content.decode()
    assert "16 Jan 2030, 09:05" in body  # 24 hours later, Shanghai time, not UTC 01:05 (with the year)


# --- escalation, in process ----------------------------------------------------------------------


def _old_complaint(tenant, hours_ago, **kwargs):
    kwargs.setdefault("assignee", tenant.users[Role.GUEST_RELATIONS])
    return _create(tenant, received_at=timezone.now() - datetime.timedelta(hours=hours_ago), **kwargs)


def _escalations(tenant, complaint):
    return sorted(
        Escalation.objects.for_org(tenant.organization).filter(complaint=complaint).values_list("threshold", flat=True)
    )


def _notices(tenant, complaint):
    return sorted(
        Notification.objects.for_org(tenant.organization)
        .filter(dedupe_key__startswith=f"complaint:{complaint.pk}:")
        .values_list("dedupe_key", "recipient__username")
    )


def test_each_threshold_goes_to_its_people_once(tenants):
    tenant = tenants.a
    at_risk_only = _old_complaint(tenant, 19)
    everything = _old_complaint(tenant, 50)
    services.complaints_escalate_due()
    services.complaints_escalate_due()
    assert _escalations(tenant, at_risk_only) == ["at_risk"]
    assert _notices(tenant, at_risk_only) == [(f"complaint:{at_risk_only.pk}:at_risk", "alpha-guest_relations")]
    assert _escalations(tenant, everything) == ["at_risk", "breach", "hard_limit"]
    assert _notices(tenant, everything) == [
        (f"complaint:{everything.pk}:at_risk", "alpha-guest_relations"),
        (f"complaint:{everything.pk}:breach", "alpha-manager"),
        (f"complaint:{everything.pk}:hard_limit", "alpha-manager"),  # the hotel's general manager
    ]
    assert Complaint.objects.for_org(tenant.organization).get(pk=everything.pk).next_escalation_at is None


def test_a_resolved_complaint_is_not_escalated(tenants):
    complaint = _old_complaint(tenants.a, 50)
    for action in ("acknowledge", "start", "resolve"):
        complaint = services.complaint_transition(complaint=complaint, action=action, actor=None)
    assert complaint.next_escalation_at is None
    services.complaints_escalate_due()
    assert _escalations(tenants.a, complaint) == []


def test_a_run_that_dies_midway_leaves_nothing_half_done_and_the_retry_sends_once(tenants):
    complaint = _old_complaint(tenants.a, 50)
    calls = {"n": 0}

    def die_on_second_notice(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "notifications_notification"'):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OperationalError("worker killed")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(die_on_second_notice):
        with pytest.raises(OperationalError):
            services.complaint_escalate(organization_id=tenants.a.organization.pk, complaint_id=complaint.pk)
    assert _escalations(tenants.a, complaint) == [] and _notices(tenants.a, complaint) == []
    services.complaints_escalate_due()
    services.complaints_escalate_due()
    assert _escalations(tenants.a, complaint) == ["at_risk", "breach", "hard_limit"]
    assert len(_notices(tenants.a, complaint)) == 3


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_announce_each_threshold_once():
    from tests.conftest import build_tenant

    tenant = build_tenant("Epsilon")
    complaints = [_old_complaint(tenant, 50) for _ in range(5)]
    barrier = threading.Barrier(2)

    def scan():
        try:
            barrier.wait(5)
            services.complaints_escalate_due()
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    services.complaints_escalate_due()  # whatever one skipped (locked) is picked up now
    for complaint in complaints:
        assert _escalations(tenant, complaint) == ["at_risk", "breach", "hard_limit"]
        assert len(_notices(tenant, complaint)) == 3


# --- the real thing: Celery worker, beat task, SMTP ------------------------------------------------


def _subjects(inbox):
    return [str(email.message_from_bytes(m.content, policy=email.policy.default)["subject"]) for m in inbox.messages]


@pytest.mark.django_db(transaction=True)
def test_the_celery_task_emails_each_notice_once_even_when_run_twice(celery_worker_process, smtp_server):
    from complaints.tasks import escalate_complaints_task
    from tests.conftest import build_tenant

    tenant = build_tenant("Zeta")
    complaint = _old_complaint(tenant, 50)
    marker = f"#{complaint.pk}"
    first = escalate_complaints_task.delay()
    second = escalate_complaints_task.delay()
    first.get(timeout=60)
    second.get(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(marker in s for s in _subjects(smtp_server)) < 3:
        time.sleep(0.3)
    escalate_complaints_task.delay().get(timeout=60)
    time.sleep(2)  # time for any duplicate to arrive
    mine = [s for s in _subjects(smtp_server) if marker in s]
    assert len(mine) == 3, mine
    assert _escalations(tenant, complaint) == ["at_risk", "breach", "hard_limit"]
    assert (
        Notification.objects.for_org(tenant.organization)
        .filter(dedupe_key__startswith=f"complaint:{complaint.pk}:", email_status="sent")
        .count()
        == 3
    )


def test_the_scan_runs_every_minute_from_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["complaints-escalation-scan"]
    assert entry["task"] == "complaints.tasks.escalate_complaints_task" and entry["schedule"] == 60.0
