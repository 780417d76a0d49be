"""How a message leaves: email through Django's email backend, SMS through a provider adapter.

An SMS provider is a class with `send(*, to, text, reference)` that returns the provider's
message id or raises `TransientSendError` (try again later) or `PermanentSendError` (never
will work: bad number, refused). Point `CARE_SMS_BACKEND` at your provider's adapter; the file
backend (default) appends one JSON line per message for local use, the console one prints it.
"""

import json
import os
import smtplib
import sys
import threading

from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

from care import conf


class TransientSendError(Exception):
    """The provider could not take the message now: retried with back-off."""


class PermanentSendError(Exception):
    """The message can never be delivered this way (refused address, no contact)."""

    def __init__(self, message, *, bounced=False):
        super().__init__(message)
        self.bounced = bounced


class SmsBackend:
    def send(self, *, to, text, reference):  # pragma: no cover - interface
        raise NotImplementedError


class FileSmsBackend(SmsBackend):
    _lock = threading.Lock()

    def __init__(self, path=None):
        self.path = path or conf.sms_file_path()

    def send(self, *, to, text, reference):
        line = json.dumps({"to": to, "text": text, "reference": reference}, ensure_ascii=False)
        with self._lock:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        return reference


class ConsoleSmsBackend(SmsBackend):
    def send(self, *, to, text, reference):
        sys.stdout.write(f"SMS to {to} [{reference}]: {text}\n")
        return reference


def sms_backend():
    return import_string(conf.sms_backend())()


def email_send(*, to, subject, text, unsubscribe_url, reference):
    """Send one email; List-Unsubscribe headers let mail clients offer one-click opt-out (RFC 8058)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-HotelCRM-Reference": reference,
        },
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentSendError(str(error)[:300], bounced=True) from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:
            raise PermanentSendError(f"{error.smtp_code} {error.smtp_error!r}"[:300], bounced=True) from error
        raise TransientSendError(f"{error.smtp_code} {error.smtp_error!r}"[:300]) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientSendError(str(error)[:300] or error.__class__.__name__) from error
    return reference
