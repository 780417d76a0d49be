from django.urls import include, path

from guests.views import profile, stays

app_name = "guests"
# Each feature keeps its own URL module; names join the "guests" namespace.
urlpatterns = [
    path("", profile.guest_list, name="list"),
    path("<int:guest_id>/", profile.guest_detail, name="detail"),
    path("new/", profile.guest_create, name="create"),
    path("<int:guest_id>/edit/", profile.guest_edit, name="edit"),
    path("<int:guest_id>/contacts/add/", profile.guest_contact_add, name="contact-add"),
    path("<int:guest_id>/birth-date/", profile.guest_birth_date_set, name="birth-date"),
    path("<int:guest_id>/preferences/", profile.guest_preference_set, name="preference-set"),
    path("<int:guest_id>/special-dates/add/", profile.guest_special_date_add, name="special-date-add"),
    path("<int:guest_id>/sensitive-consent/", profile.guest_sensitive_consent, name="sensitive-consent"),
    path("<int:guest_id>/document/", profile.guest_document_set, name="document"),
    path("stays/<int:stay_id>/status/", stays.stay_status_update, name="stay-status"),
    path("access/", include("guests.urls_access")),
    path("briefing/", include("guests.urls_briefing")),
    path("data/", include("guests.urls_data")),
    path("duplicates/", include("guests.urls_merge")),
]
