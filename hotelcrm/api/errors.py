"""One JSON error shape for the whole API: {type, title, detail, field_errors}."""
from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hotelcrm.exceptions import ApplicationError


def _error(status_code, type_, title, detail, field_errors=None, headers=None):
    body = {"type": type_, "title": title, "detail": detail, "field_errors": field_errors or {}}
    return Response(body, status=status_code, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return _error(status.HTTP_400_BAD_REQUEST, exc.code, _("The request could not be carried out."), exc.message, exc.extra.get("fields"))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected errors go to Django's 500 handling and error reporting
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        field_errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return _error(response.status_code, "validation_error", _("Some fields are not valid."), _("Correct the fields listed and send again."), field_errors)
    headers = {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}
    return _error(response.status_code, getattr(exc, "default_code", "error"), str(getattr(exc, "default_detail", "")), str(exc.detail) if hasattr(exc, "detail") else "", headers=headers)
