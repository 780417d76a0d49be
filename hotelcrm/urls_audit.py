from django.urls import path

from hotelcrm import audit_views

urlpatterns = [
    path("", audit_views.audit_list, name="audit-list"),
    path("export.csv", audit_views.audit_export, name="audit-export"),
]
