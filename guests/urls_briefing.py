from django.urls import path

from guests.views import briefing

# Included at "briefing/" in the "guests" namespace.
urlpatterns = [
    path("", briefing.arrivals_briefing, name="briefing"),
]
