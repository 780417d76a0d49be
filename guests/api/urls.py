from django.urls import path

from guests.api import views

urlpatterns = [
    path("guests/", views.GuestListApi.as_view(), name="api-guest-list"),
    path("guests/upsert/", views.GuestUpsertApi.as_view(), name="api-guest-upsert"),
    path("guests/lookup/", views.GuestLookupApi.as_view(), name="api-guest-lookup"),
    path("guests/<int:pk>/", views.GuestDetailApi.as_view(), name="api-guest-detail"),
]
