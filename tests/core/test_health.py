import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from hotelcrm.health import BEAT_HEARTBEAT_KEY
from hotelcrm.tasks import health_ping_task

MONITOR_TOKEN = "monitor-token-for-the-tests-0123"


@pytest.fixture
def monitor(settings):
    settings.HEALTHZ_TOKEN = MONITOR_TOKEN
    return {"HTTP_X_HEALTH_TOKEN": MONITOR_TOKEN}


@pytest.mark.celery
def test_a_real_worker_runs_the_health_task(celery_worker_process):
    assert health_ping_task.delay().get(timeout=30) == "pong"


@pytest.mark.celery
def test_healthz_reports_database_redis_and_worker(client, db, celery_worker_process, monitor):
    response = client.get(reverse("healthz"), **monitor)
    assert response.status_code == 200
    report = response.json()
    assert report["database"]["status"] == "ok"
    assert report["redis"]["status"] == "ok"
    assert report["worker"]["status"] == "ok" and report["worker"]["workers"] >= 1


def _wait_for_heartbeat(seconds):
    deadline = time.monotonic() + seconds
    while cache.get(BEAT_HEARTBEAT_KEY) is None:
        assert time.monotonic() < deadline, f"no beat heartbeat within {seconds} s"
        time.sleep(0.5)
    return float(cache.get(BEAT_HEARTBEAT_KEY))


@pytest.mark.celery
def test_beat_announces_itself_at_start_and_healthz_sees_it(
    client, db, celery_worker_process, start_celery_beat, monitor
):
    cache.delete(BEAT_HEARTBEAT_KEY)
    start_celery_beat(heartbeat_seconds=3600)  # the schedule alone would not fire for an hour
    _wait_for_heartbeat(45)
    assert client.get(reverse("healthz"), **monitor).json()["beat"]["status"] == "ok"


@pytest.mark.celery
def test_beat_fires_its_schedule_again_and_again(db, celery_worker_process, start_celery_beat):
    cache.delete(BEAT_HEARTBEAT_KEY)
    start_celery_beat(heartbeat_seconds=1)
    first = _wait_for_heartbeat(45)
    deadline = time.monotonic() + 30
    while float(cache.get(BEAT_HEARTBEAT_KEY)) == first:
        assert time.monotonic() < deadline, "beat fired once and then stopped"
        time.sleep(0.5)


def test_healthz_tells_anonymous_callers_only_the_overall_status(client, db, monitor):
    response = client.get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"status"}
    assert set(client.get(reverse("healthz"), HTTP_X_HEALTH_TOKEN="not-the-token-0123456789").json()) == {"status"}
    report = client.get(reverse("healthz"), **monitor).json()
    assert report["database"]["status"] == "ok" and report["redis"]["status"] == "ok"
    assert set(report) == {"status", "database", "redis", "worker", "beat"}


def test_healthz_details_for_signed_in_staff_and_none_without_a_configured_token(client, tenants, settings):
    from hotelcrm.models import Role

    settings.HEALTHZ_TOKEN = ""
    assert set(client.get(reverse("healthz"), HTTP_X_HEALTH_TOKEN="").json()) == {"status"}
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert set(client.get(reverse("healthz")).json()) == {"status", "database", "redis", "worker", "beat"}


def test_no_reachable_worker_is_reported_as_down_quickly():
    from celery import Celery

    from hotelcrm.health import check_workers

    # not set as the current app: the shared tasks of later tests must keep the real one
    unreachable = Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)
    unreachable.conf.broker_connection_retry = False
    unreachable.conf.broker_connection_max_retries = 0
    started = time.monotonic()
    result = check_workers(app=unreachable)
    assert result["status"] == "down" and result["workers"] == 0
    assert time.monotonic() - started < 10
