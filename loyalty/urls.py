from django.urls import path

from loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("", views.member_list, name="members"),
    path("members/<int:membership_id>/", views.member_detail, name="member"),
    path("members/<int:membership_id>/award/", views.member_award, name="award"),
    path("members/<int:membership_id>/adjust/", views.member_adjust, name="adjust"),
    path("members/<int:membership_id>/redeem/", views.member_redeem, name="redeem"),
    path("enrol/<int:guest_id>/", views.member_enrol, name="enrol"),
    path("rewards/", views.reward_list, name="rewards"),
    path("rewards/new/", views.reward_edit, name="reward-new"),
    path("rewards/<int:reward_id>/", views.reward_edit, name="reward-edit"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:order_id>/fulfil/", views.order_fulfil, name="order-fulfil"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order-cancel"),
    path("adjustments/", views.adjustment_list, name="adjustments"),
    path("adjustments/<int:adjustment_id>/decide/", views.adjustment_decide, name="adjustment-decide"),
    path("program/", views.program_settings, name="program"),
]
