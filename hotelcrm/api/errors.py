"""One JSON error shape for the whole API: {type, title, detail, field_errors}.

Nothing reaches the client as a stack trace: an unexpected error is logged with its traceback
and answered 500 in the same shape.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from hotelcrm import faults
from hotelcrm.exceptions import ApplicationError

logger = logging.getLogger("hotelcrm.api")


def _error(status_code, type_, title, detail, field_errors=None, headers=None):
    body = {"type": type_, "title": title, "detail": detail, "field_errors": field_errors or {}}
    return Response(body, status=status_code, headers=headers)


def flat_field_errors(detail, prefix=""):
    """DRF's nested errors as the schema promises them: a map of field -> list of messages.

    A nested serializer's or a list item's errors get a dotted path (`events.0.version`,
    `languages.1`), never a bare `{"0": [...]}`; errors of the whole body are `non_field_errors`.
    """
    flat = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            flat.update(flat_field_errors(value, f"{prefix}.{name}" if prefix else str(name)))
    elif isinstance(detail, (list, tuple)):
        if all(not isinstance(item, (dict, list, tuple)) for item in detail):
            if detail:
                flat.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flat_field_errors(item, f"{prefix}.{index}" if prefix else f"items.{index}"))
    else:
        flat.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return flat


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE is the client's error, not ours (it was a 500).
        return _error(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            _("The request is too large."),
            _("Send a smaller body: split a large batch into several requests."),
        )
    if faults.is_redis_down(exc):
        # The rate limiter (or a task queued after commit) could not reach Redis: a defined 503.
        set_rollback()
        return Response(
            faults.redis_unavailable_body(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(faults.REDIS_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, ApplicationError):
        if exc.fields:
            # A service refused an input: the same shape as a serializer's field errors.
            return _error(
                getattr(exc, "status_code", status.HTTP_400_BAD_REQUEST),
                "validation_error",
                _("Some fields are not valid."),
                exc.message,
                exc.fields,
            )
        # An application error may name its own status (e.g. 422 for a reused Idempotency-Key).
        return _error(
            getattr(exc, "status_code", status.HTTP_400_BAD_REQUEST),
            exc.code,
            _("The request could not be carried out."),
            exc.message,
            exc.extra.get("fields"),
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        view = context.get("view")
        logger.error("Unexpected API error in %s", type(view).__name__ if view else "?", exc_info=exc)
        set_rollback()
        return _error(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            "server_error",
            _("Something went wrong on our side."),
            _("The error was logged. Try again later; if it persists, contact support."),
        )
    if isinstance(exc, exceptions.ValidationError):
        field_errors = flat_field_errors(exc.detail)
        return _error(
            response.status_code,
            "validation_error",
            _("Some fields are not valid."),
            _("Correct the fields listed and send again."),
            field_errors,
        )
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    title = str(getattr(exc, "default_detail", ""))
    if "{" in title:  # DRF's templates ('Method "{method}" not allowed.'): the filled text is in `detail`
        title = {405: _("Method not allowed."), 415: _("Unsupported media type.")}.get(
            response.status_code, _("The request could not be carried out.")
        )
    return _error(
        response.status_code,
        getattr(exc, "default_code", "error"),
        title,
        str(exc.detail) if hasattr(exc, "detail") else "",
        headers=headers,
    )
