from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("board/", views.board, name="board"),
    path("new/", views.quick_log, name="quick-log"),
    path("analysis/", views.analysis, name="analysis"),
    path("<int:complaint_id>/", views.detail, name="detail"),
    path("<int:complaint_id>/step/", views.transition, name="transition"),
    path("<int:complaint_id>/close/", views.close, name="close"),
    path("<int:complaint_id>/edit/", views.update, name="update"),
    path("<int:complaint_id>/checklist/<int:item_id>/", views.checklist_toggle, name="checklist"),
    path("<int:complaint_id>/compensation/", views.compensation_propose, name="compensation"),
    path(
        "<int:complaint_id>/compensation/<int:compensation_id>/decide/",
        views.compensation_decide,
        name="compensation-decide",
    ),
    path("<int:complaint_id>/photos/", views.attachment_add, name="attachment-add"),
    path("<int:complaint_id>/photos/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:complaint_id>/feedback-link/", views.feedback_link, name="feedback-link"),
    # Public: the guest's single-use link (no login).
    path("feedback/<str:token>/", views.feedback, name="feedback"),
]
