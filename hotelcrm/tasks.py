import time

from celery import shared_task
from django.core.cache import cache

from hotelcrm.health import BEAT_HEARTBEAT_KEY


@shared_task(name="hotelcrm.tasks.health_ping_task")
def health_ping_task():
    """Proves a worker takes tasks from the broker and can return a result."""
    return "pong"


@shared_task(name="hotelcrm.tasks.record_beat_heartbeat_task", ignore_result=True)
def record_beat_heartbeat_task():
    # Fired by beat every minute; /healthz reads its age to tell whether beat is alive.
    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)
