from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/stays/", views.stay_list, name="stays"),
    path("dashboard/bookings/", views.booking_list, name="bookings"),
    path("dashboard/complaints/", views.complaint_list, name="complaints"),
    path("dashboard/surveys/", views.survey_list, name="surveys"),
    path("dashboard/reward-orders/", views.reward_order_list, name="reward-orders"),
    path("dashboard/ledger-entries/", views.ledger_entry_list, name="ledger-entries"),
    path("dashboard/calls/", views.call_task_list, name="calls"),
    path("dashboard/owned-guests/", views.owned_guest_list, name="owned-guests"),
    path("segments/", views.segment_list, name="segment"),
    path("segments/to-care/", views.segment_to_care, name="segment-to-care"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("subscriptions/<int:subscription_id>/cancel/", views.subscription_cancel, name="subscription-cancel"),
]
