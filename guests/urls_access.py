from django.urls import path

from guests.views import access

# Included under "guests/access/"; names join the "guests" namespace.
urlpatterns = [
    path("requests/", access.access_queue, name="access-queue"),
    path("requests/<int:request_id>/approve/", access.access_approve, name="access-approve"),
    path("requests/<int:request_id>/deny/", access.access_deny, name="access-deny"),
    path("requests/<int:request_id>/revoke/", access.access_revoke, name="access-revoke"),
    path("<int:guest_id>/request/", access.access_request, name="access-request"),
    path("<int:guest_id>/sensitive/", access.sensitive, name="sensitive"),
]
