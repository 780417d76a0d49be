from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/stays/", views.stay_list, name="stays"),
    path("dashboard/complaints/", views.complaint_list, name="complaints"),
    path("dashboard/surveys/", views.survey_list, name="surveys"),
    path("segments/", views.segment_list, name="segment"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("subscriptions/<int:subscription_id>/cancel/", views.subscription_cancel, name="subscription-cancel"),
]
