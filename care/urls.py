from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_edit, name="campaign-create"),
    path("campaigns/<int:campaign_id>/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:campaign_id>/templates/<str:language>/", views.template_edit, name="template-edit"),
    path("holidays/", views.holiday_list, name="holiday-list"),
    path("holidays/<int:holiday_id>/", views.holiday_edit, name="holiday-edit"),
    path("settings/", views.settings_edit, name="settings"),
    path("deliveries/", views.delivery_list, name="delivery-list"),
    path("calls/", views.call_task_list, name="call-list"),
    path("calls/<int:task_id>/", views.call_task_detail, name="call-detail"),
    path("surveys/", views.survey_results, name="survey-results"),
    path("watch/", views.watch_list, name="watch-list"),
    # Public pages for guests: no login, a signed token names the message.
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("s/<str:token>/", views.survey, name="survey"),
]
