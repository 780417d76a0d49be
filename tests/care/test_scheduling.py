"""The nightly path with real processes: Celery beat and workers on Redis, a real SMTP server.

The care tasks run on a queue of their own for these tests (CARE_TASK_QUEUE), so only the
workers started here take them and a worker can be killed mid-chunk on purpose.
"""

import datetime
import json
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from care.models import Campaign, Channel, Delivery, DeliveryStatus, JobRun
from hotelcrm.celery import app
from tests.care.helpers import care_guest, care_settings
from tests.conftest import _stop, _subprocess_env

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class CareProcesses:
    def __init__(self, tmp_path, django_db_blocker, smtp_port):
        self.queue = f"care-test-{uuid.uuid4().hex[:8]}"
        self.tmp_path = tmp_path
        self.processes = []
        with django_db_blocker.unblock():
            self.env = _subprocess_env(
                CARE_TASK_QUEUE=self.queue,
                CARE_DISPATCH_SECONDS="1",
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(smtp_port),
                EMAIL_USE_TLS="0",
                EMAIL_USE_SSL="0",
                CARE_SMS_FILE_PATH=str(tmp_path / "sms.jsonl"),
            )

    def worker(self, **env):
        node = f"care-{uuid.uuid4().hex[:8]}@%h"
        log = self.tmp_path / f"{node.split('@')[0]}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hotelcrm",
                "worker",
                "--pool=solo",
                "-Q",
                self.queue,
                "-n",
                node,
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                f"--logfile={log}",
            ],
            env={**self.env, **env},
        )
        self.processes.append(process)
        _wait(
            lambda: process.poll() is not None or (log.exists() and " ready." in log.read_text()),
            60,
            "the worker to start",
        )
        assert process.poll() is None, log.read_text() if log.exists() else "worker died"
        return process

    def beat(self):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hotelcrm",
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.tmp_path / 'beat-schedule'}",
                f"--logfile={self.tmp_path / 'beat.log'}",
            ],
            env=self.env,
        )
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            _stop(process)
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(self.queue)


@pytest.fixture
def care_processes(tmp_path, django_db_blocker, smtp_server):
    processes = CareProcesses(tmp_path, django_db_blocker, smtp_server.port)
    yield processes
    processes.stop()


def _birthday_hotel(tenant, hotel, time_zone):
    hotel.time_zone = time_zone
    hotel.save()
    # Not yet: the send time is set once the worker and beat are up (they take a while to start).
    # Quiet hours off: the test runs whatever the hour is at the hotel.
    care_settings(
        hotel,
        send_time=datetime.time(23, 59, 59),
        quiet_start=datetime.time(0),
        quiet_end=datetime.time(0),
        catch_up_days=0,
    )
    Campaign.objects.create(
        organization=tenant.organization, hotel=hotel, name="Birthday", kind="birthday", channel=Channel.EMAIL
    )
    return timezone.now().astimezone(hotel.tz).date()


def _far_from_midnight(*zones, margin=datetime.timedelta(minutes=15)):
    """The first of `zones` (one hour apart) whose local time is at least `margin` from midnight
    (now and a few minutes on), so a same-day send time exists whenever the test runs."""
    from zoneinfo import ZoneInfo

    for zone in zones:
        local_now = timezone.now().astimezone(ZoneInfo(zone))
        midnight = datetime.datetime.combine(
            local_now.date() + datetime.timedelta(days=1), datetime.time(0), tzinfo=local_now.tzinfo
        )
        if midnight - local_now > margin and local_now - local_now.replace(hour=0, minute=0, second=0) > margin:
            return zone
    raise AssertionError(f"no zone of {zones} is far from midnight")  # cannot happen: they are an hour apart


def _send_in(hotel, seconds):
    local_now = timezone.now().astimezone(hotel.tz)
    send_at = (local_now + datetime.timedelta(seconds=seconds)).replace(microsecond=0)
    assert send_at.date() == local_now.date(), "the zone was chosen at least 15 minutes from midnight"
    care_settings(hotel, send_time=send_at.time())
    return send_at


def test_birthdays_at_utc_plus_8_and_utc_minus_5_are_greeted_once_at_local_send_time_in_their_language(
    tenants, care_processes, smtp_server, client
):
    shanghai, bogota = tenants.a.hotels
    Campaign.objects.for_org(tenants.a.organization).update(is_active=False)  # only this test's campaigns run
    # UTC+8 (or +9) and UTC-5 (or -6): whichever is not near local midnight now (no skip at any hour).
    day_east = _birthday_hotel(tenants.a, shanghai, _far_from_midnight("Asia/Shanghai", "Asia/Tokyo"))
    day_west = _birthday_hotel(tenants.a, bogota, _far_from_midnight("America/Bogota", "America/Mexico_City"))
    east = care_guest(
        tenants.a,
        shanghai,
        name="Li",
        email="li@example.test",
        language="zh-hans",
        native_name="李娜",
        birthday=day_east.replace(year=1985),
    )
    west = care_guest(
        tenants.a,
        bogota,
        name="Garcia",
        email="garcia@example.test",
        language="en",
        birthday=day_west.replace(year=1979),
    )

    care_processes.worker()
    care_processes.beat()
    time.sleep(3)  # beat fires the dispatcher every second: nothing is due yet
    assert smtp_server.messages == []
    send_east = _send_in(shanghai, 2)
    send_west = _send_in(bogota, 15)
    assert smtp_server.wait_for(1, timeout=30), "the UTC+8 greeting should arrive"
    assert smtp_server.messages[0].rcpt_tos == ["li@example.test"]
    assert smtp_server.wait_for(2, timeout=30), "the UTC-5 greeting should arrive"
    time.sleep(3)  # beat keeps firing the dispatcher every second: nothing more may come

    assert len(smtp_server.messages) == 2
    sent = {d.guest_id: d for d in Delivery.objects.for_org(tenants.a.organization).filter(campaign__name="Birthday")}
    assert set(sent) == {east.pk, west.pk}
    assert sent[east.pk].sent_at >= send_east and sent[west.pk].sent_at >= send_west
    runs = {r.hotel_id: r for r in JobRun.objects.for_org(tenants.a.organization).filter(local_date__gte=day_west)}
    assert (runs[shanghai.pk].local_date, runs[bogota.pk].local_date) == (day_east, day_west)
    assert runs[shanghai.pk].created_at >= send_east and runs[bogota.pk].created_at >= send_west
    assert JobRun.objects.for_org(tenants.a.organization).filter(local_date__gte=day_west).count() == 2

    import email
    from email.header import decode_header, make_header

    by_rcpt = {m.rcpt_tos[0]: email.message_from_bytes(m.content) for m in smtp_server.messages}
    chinese = by_rcpt["li@example.test"]
    assert "生日快乐" in str(make_header(decode_header(chinese["Subject"])))
    assert "李娜" in chinese.get_payload(decode=True).decode()
    english = by_rcpt["garcia@example.test"]
    body = english.get_payload(decode=True).decode()
    assert "Happy birthday" in str(make_header(decode_header(english["Subject"])))
    link = re.search(r"/care/u/[^\s/]+/", body).group(0)
    assert english["List-Unsubscribe"].endswith(f"{link}>")
    page = client.get(link)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert client.post(link).status_code == 200
    west.refresh_from_db()
    east.refresh_from_db()
    assert west.consent_email is False and east.consent_email is True


def _restore_unacked_messages():
    """What Redis does for a dead worker once the visibility timeout passes: put its unacked task back."""
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, transport_options={"visibility_timeout": 1}) as connection:
        connection.default_channel.qos.restore_visible(num=1000)


def test_two_dispatches_and_a_worker_killed_mid_chunk_send_exactly_one_message_per_guest(
    tenants, care_processes, tmp_path
):
    hotel = tenants.a.hotels[0]
    Campaign.objects.for_org(tenants.a.organization).update(is_active=False)  # only this test's campaign runs
    local_today = timezone.now().astimezone(hotel.tz).date()
    care_settings(
        hotel, send_time=datetime.time(0), quiet_start=datetime.time(0), quiet_end=datetime.time(0), catch_up_days=0
    )
    Campaign.objects.create(
        organization=tenants.a.organization, hotel=hotel, name="Birthday SMS", kind="birthday", channel=Channel.SMS
    )
    guests = [
        care_guest(
            tenants.a, hotel, name=f"Guest{i}", phone=f"+86139001{i:05d}", birthday=local_today.replace(year=1990)
        )
        for i in range(12)
    ]
    slow = {"CARE_SEND_PAUSE_SECONDS": "0.6", "CARE_CHUNK_SIZE": "6"}
    sms_file = tmp_path / "sms.jsonl"

    first = care_processes.worker(**slow)
    from care.tasks import dispatch_care_runs_task

    dispatch_care_runs_task.apply_async(queue=care_processes.queue)
    dispatch_care_runs_task.apply_async(queue=care_processes.queue)
    _wait(lambda: sms_file.exists() and len(sms_file.read_text().splitlines()) >= 2, 60, "the first messages")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    sent_before_kill = len(sms_file.read_text().splitlines())
    assert sent_before_kill < len(guests), "the worker should die mid-run"

    time.sleep(1.5)
    _restore_unacked_messages()
    care_processes.worker(**slow)
    ours = Delivery.objects.for_org(tenants.a.organization).filter(campaign__name="Birthday SMS")
    _wait(
        lambda: not ours.filter(status=DeliveryStatus.QUEUED).exists() and ours.count() == len(guests),
        90,
        "every message",
    )
    dispatch_care_runs_task.apply_async(queue=care_processes.queue)  # and once more, after the fact
    time.sleep(2)

    lines = [json.loads(line) for line in sms_file.read_text().splitlines()]
    numbers = sorted(line["to"] for line in lines)
    assert numbers == sorted(f"+86139001{i:05d}" for i in range(12)), "exactly one SMS per guest, none lost"
    statuses = list(ours.values_list("status", flat=True))
    assert statuses == [DeliveryStatus.SENT] * len(guests)
    assert JobRun.objects.for_org(tenants.a.organization).filter(local_date=local_today).count() == 1
