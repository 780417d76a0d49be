from django.urls import include, path

from guests.views import profile

app_name = "guests"
# Each feature keeps its own URL module; names join the "guests" namespace.
urlpatterns = [
    path("", profile.guest_list, name="list"),
    path("<int:guest_id>/", profile.guest_detail, name="detail"),
    path("access/", include("guests.urls_access")),
    path("briefing/", include("guests.urls_briefing")),
    path("data/", include("guests.urls_data")),
    path("duplicates/", include("guests.urls_merge")),
]
