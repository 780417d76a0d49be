from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("keys/", views.key_list, name="key-list"),
    path("keys/<int:key_id>/revoke/", views.key_revoke, name="key-revoke"),
    path("keys/<int:key_id>/strict/", views.key_strict_set, name="key-strict"),
]
