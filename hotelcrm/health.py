"""Health of the parts the product needs: database, Redis, a Celery worker, beat."""

import time

from django.core.cache import cache
from django.db import connection

BEAT_HEARTBEAT_KEY = "health:beat-heartbeat"
BEAT_STALE_AFTER_SECONDS = 180


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok"}
    except Exception as exc:  # any driver error means "down"; the reason is reported, not raised
        return {"status": "down", "error": exc.__class__.__name__}


def check_redis():
    try:
        cache.set("health:ping", "pong", timeout=10)
        if cache.get("health:ping") != "pong":
            return {"status": "down", "error": "read-back mismatch"}
        return {"status": "ok"}
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__}


def check_workers(timeout=1.0, app=None):
    if app is None:
        from hotelcrm.celery import app
    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:
        return {"status": "down", "error": exc.__class__.__name__, "workers": 0}
    return {"status": "ok" if replies else "down", "workers": len(replies)}


def check_beat():
    try:
        last = cache.get(BEAT_HEARTBEAT_KEY)
    except Exception as exc:
        return {"status": "unknown", "error": exc.__class__.__name__}
    if last is None:
        return {"status": "down", "last_heartbeat_age_s": None}
    age = round(time.time() - float(last), 1)
    return {"status": "ok" if age <= BEAT_STALE_AFTER_SECONDS else "down", "last_heartbeat_age_s": age}


def health_report():
    database = check_database()
    redis = check_redis()
    workers = check_workers() if redis["status"] == "ok" else {"status": "unknown", "workers": 0}
    beat = check_beat() if redis["status"] == "ok" else {"status": "unknown"}
    essential_ok = database["status"] == "ok" and redis["status"] == "ok"
    overall = "ok" if essential_ok and workers["status"] == "ok" else ("degraded" if essential_ok else "down")
    return {"status": overall, "database": database, "redis": redis, "worker": workers, "beat": beat}
