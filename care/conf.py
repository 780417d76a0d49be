"""Guest-care settings: read from Django settings when the project sets them, else from the
environment (strictly parsed), else the defaults below."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _value(name, default, parse):
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: {error}") from error


def _positive_float(raw):
    value = float(raw)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _positive_int(raw):
    value = int(raw)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def chunk_size():
    """Deliveries per chunk task."""
    return _value("CARE_CHUNK_SIZE", 500, _positive_int)


def send_pause_seconds():
    """Pause between two messages of a chunk (provider rate limits)."""
    return _value("CARE_SEND_PAUSE_SECONDS", 0.0, _positive_float)


def stale_run_seconds():
    """A run with queued messages and no progress for this long is fanned out again."""
    return _value("CARE_STALE_RUN_SECONDS", 900.0, _positive_float)


def sms_backend():
    return _value("CARE_SMS_BACKEND", "care.channels.FileSmsBackend", str)


def sms_file_path():
    default = os.path.join(str(getattr(settings, "DATA_DIR", "/tmp")), "sms-outbox.jsonl")
    return _value("CARE_SMS_FILE_PATH", default, str)


MAX_ATTEMPTS = 5


def retry_delay_seconds(attempts):
    """Back-off after a transient failure: 1, 2, 4, 8... minutes, at most an hour."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)
