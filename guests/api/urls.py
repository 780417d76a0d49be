from django.urls import path

from guests.api import views

urlpatterns = [
    path("guests/<int:pk>/", views.GuestDetailApi.as_view(), name="api-guest-detail"),
]
