"""Fault behaviour: Redis down (reads go on, a banner says jobs are paused, recovery by itself),
PostgreSQL connection lost mid-request (a clear 503, nothing half-saved)."""

import json
import shutil
import socket
import subprocess
import time

import psycopg2
import pytest
from django.db import connection
from django.db.models.signals import pre_save
from django.urls import reverse

from guests.models import GuestProfile
from hotelcrm import faults
from hotelcrm.models import AuditEvent, Role
from tests.factories import DEMO_PASSWORD

BANNER = "Background jobs are paused"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    """A redis-server this test starts and stops on its own port (never the shared one)."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def throwaway_redis(tmp_path, settings):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    redis = ThrowawayRedis(tmp_path)
    redis.start()
    settings.REDIS_URL = redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
    settings.REDIS_CHECK_INTERVAL_SECONDS = 0  # check at every page, so the test sees changes at once
    yield redis
    redis.stop()


def test_with_redis_down_pages_and_log_in_work_and_say_jobs_are_paused_then_recover(client, tenants, throwaway_redis):
    guest = tenants.a.guests[0]
    desk = tenants.a.users[Role.FRONT_DESK]
    assert client.post(reverse("login"), {"username": desk.username, "password": DEMO_PASSWORD}).status_code == 302
    page = client.get(reverse("guests:list"))
    assert page.status_code == 200 and BANNER not in page.content.decode()

    throwaway_redis.stop()
    for url in (
        reverse("home"),
        reverse("guests:list"),
        reverse("guests:detail", args=[guest.pk]),
        reverse("guests:list") + "?q=" + guest.family_name,
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert BANNER in response.content.decode()
    # Sessions and log-in throttling live in PostgreSQL: logging out and in again works too.
    client.post(reverse("logout"))
    assert client.post(reverse("login"), {"username": desk.username, "password": DEMO_PASSWORD}).status_code == 302
    assert client.get(reverse("guests:list")).status_code == 200
    health = client.get(reverse("healthz"))
    assert health.json()["redis"]["status"] == "down"

    throwaway_redis.start()
    page = client.get(reverse("guests:list"))
    assert page.status_code == 200 and BANNER not in page.content.decode()


def test_the_redis_check_is_remembered_between_pages(settings, throwaway_redis):
    settings.REDIS_CHECK_INTERVAL_SECONDS = 60
    faults._state["checked_at"] = 0.0
    assert faults.redis_available()
    throwaway_redis.stop()
    started = time.monotonic()
    assert faults.redis_available()  # remembered: no wait, no new probe
    assert time.monotonic() - started < 0.1


def _terminate_own_backend_on_audit(sender, instance, **kwargs):
    """Cut this request's database connection from outside, right after the guest row was written."""
    pid = connection.connection.get_backend_pid()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    killer = psycopg2.connect(**params)
    try:
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_mid_request_gives_a_clear_503_and_saves_nothing(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    before = GuestProfile.objects.for_org(tenants.a.organization).count()
    pre_save.connect(_terminate_own_backend_on_audit, sender=AuditEvent, dispatch_uid="test-terminate")
    try:
        response = client.post(
            reverse("guests:create"),
            {"family_name": "Cut", "given_name": "Off", "gender": "female", "nationality": "cn"},
        )
    finally:
        pre_save.disconnect(dispatch_uid="test-terminate", sender=AuditEvent)
    assert response.status_code == 503
    body = response.content.decode()
    assert "Nothing was saved half-way" in body and "Traceback" not in body
    assert response["Retry-After"]
    connection.close()
    # The guest row written before the connection died was rolled back with it.
    assert GuestProfile.objects.for_org(tenants.a.organization).count() == before
    assert not GuestProfile.objects.for_org(tenants.a.organization).filter(family_name="Cut").exists()
    # The next request gets a fresh connection and works.
    assert client.get(reverse("guests:list")).status_code == 200


def test_the_api_answers_a_lost_connection_with_json_503(rf):
    response = faults.database_unavailable_response(rf.get("/api/v1/guests/"))
    assert response.status_code == 503 and json.loads(response.content)["type"] == "service_unavailable"
