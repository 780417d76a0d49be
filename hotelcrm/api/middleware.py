"""Refuses an over-long API URL before any view sees it: 414 with the API's error shape."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _


class ApiUrlLengthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            length = len(request.path) + len(request.META.get("QUERY_STRING", ""))
            if length > settings.API_MAX_URL_LENGTH:
                return JsonResponse(
                    {
                        "type": "uri_too_long",
                        "title": _("The address is too long."),
                        "detail": _("Send at most %(most)s characters of path and query; send long input in a body.")
                        % {"most": settings.API_MAX_URL_LENGTH},
                        "field_errors": {},
                    },
                    status=414,
                )
        return self.get_response(request)
