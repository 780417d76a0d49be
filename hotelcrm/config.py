"""Strict parsing of deploy-specific settings from the environment.

Every reader raises ImproperlyConfigured naming the variable, so a bad deploy stops at
start-up with one line that says what to fix.
"""

import contextlib
import os
import sys
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise ImproperlyConfigured(f"{name} is not set: it is required in this configuration.")
        return default
    return value.strip()


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name, default, *, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name, schemes):
    """A URL whose scheme is one of `schemes`, or None when the variable is unset."""
    raw = env_str(name)
    if raw is None:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed} (got {parsed.scheme or 'no scheme'!r}).")
    return raw


def fernet_keys(name, raw_keys):
    """Validate a comma-separated list of Fernet keys; the first one encrypts, all decrypt."""
    from cryptography.fernet import Fernet

    keys = [k.strip() for k in raw_keys.split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured(f"{name} is empty: give at least one Fernet key.")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"{name}: key #{position} is not a valid Fernet key (32 url-safe base64-encoded bytes)."
            ) from None
    return keys


@contextlib.contextmanager
def exit_on_bad_configuration():
    """Turn a configuration error into one clear line on stderr and exit status 2."""
    try:
        yield
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"HotelCRM configuration error: {exc}\n")
        sys.exit(2)


def env_limits(name, defaults):
    """Per-caller (per_call, per_day) limits: `defaults` overridden by "who=per_call/per_day,..." in `name`.

    Example: LOYALTY_POINTS_LIMITS="api_key=20000/100000,front_desk=2000/10000".
    """
    limits = dict(defaults)
    for item in env_list(name):
        who, _sep, pair = item.partition("=")
        per_call, _slash, per_day = pair.partition("/")
        try:
            limits[who.strip()] = (int(per_call), int(per_day))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not who=per_call/per_day in whole numbers.") from None
        if who.strip() not in defaults or min(limits[who.strip()]) < 0:
            raise ImproperlyConfigured(
                f"{name}: {item!r} names no known caller ({', '.join(defaults)}) or has a negative limit."
            )
    return limits
