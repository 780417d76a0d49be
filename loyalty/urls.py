from django.urls import path

from loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("adjustments/", views.adjustment_list, name="adjustments"),
]
