from django.urls import path

from hotelcrm.api import views

urlpatterns = [
    path("me/", views.me_api, name="api-me"),
    path("hotels/", views.HotelListApi.as_view(), name="api-hotel-list"),
    path("hotels/<int:pk>/", views.HotelDetailApi.as_view(), name="api-hotel-detail"),
]
