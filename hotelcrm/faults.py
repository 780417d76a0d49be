"""Behaviour when a service the product depends on fails.

Redis down: pages keep working (sessions, log-in throttling and every read are in PostgreSQL;
nothing on a page reads the cache), and staff see a banner that background jobs are paused.
The check is a ping with a short timeout, remembered in this process for a few seconds so a
dead Redis costs one short wait per interval, not one per page; when Redis returns the banner
goes away by itself at the next check.

Redis down on the API: the per-key rate limit cannot be counted, so a call is refused with 503,
Retry-After and the error shape (hotelcrm.api.errors) rather than served unthrottled: the rate
limit is what bounds a leaked key, and the PMS retries. Nothing was done by the refused call.

PostgreSQL connection lost mid-request (restart, failover, pg_terminate_backend): the request's
transaction is rolled back by PostgreSQL, so nothing half-done is kept; the visitor gets a plain
503 page (JSON for the API) that says to try again, not a 500 trace. Django opens a new
connection for the next request (CONN_HEALTH_CHECKS is on).
"""

import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

_state = {"checked_at": 0.0, "ok": True}
_lock = threading.Lock()


def redis_available():
    interval = getattr(settings, "REDIS_CHECK_INTERVAL_SECONDS", 10)
    now = time.monotonic()
    with _lock:
        if interval and now - _state["checked_at"] < interval:
            return _state["ok"]
        _state["checked_at"] = now
    ok = _ping_redis()
    with _lock:
        _state["ok"] = ok
    return ok


def _ping_redis():
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure to reach Redis means "jobs paused"; the page itself goes on
        return False


def degraded_mode(request):
    """Context processor: the banner shows to logged-in staff only (no probe for anonymous pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"background_jobs_paused": False}
    return {"background_jobs_paused": not redis_available()}


def is_redis_down(exc):
    """A failure to reach Redis (the cache, the API's rate counts) or the Celery broker on it."""
    import redis
    from kombu.exceptions import OperationalError as BrokerError

    return isinstance(exc, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, BrokerError))


REDIS_RETRY_AFTER_SECONDS = 30


def redis_unavailable_body():
    return {
        "type": "service_unavailable",
        "title": _("Service temporarily unavailable"),
        "detail": _("A service this call needs (Redis) is not answering. Nothing was done. Try again in a moment."),
        "field_errors": {},
    }


def database_unavailable_response(request):
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "type": "service_unavailable",
                "title": _("Service temporarily unavailable"),
                "detail": _("The database connection was lost. Nothing was saved half-way. Try again in a moment."),
                "field_errors": {},
            },
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = "10"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection during a view into a clear 503 instead of a 500 trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return database_unavailable_response(request)
        if is_redis_down(exception):
            # Pages do not need Redis (see the module docstring); a view that did gets a 503, not a 500.
            if request.path.startswith("/api/"):
                response = JsonResponse(redis_unavailable_body(), status=503)
            else:
                response = HttpResponse(render_to_string("503.html", request=None), status=503)
            response["Retry-After"] = str(REDIS_RETRY_AFTER_SECONDS)
            return response
        return None
