from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from integrations.api import views
from integrations.views import api_docs

urlpatterns = [
    path("stays/events/", views.StayEventApi.as_view(), name="api-stay-event"),
    path("stays/events/batch/", views.StayEventBatchApi.as_view(), name="api-stay-event-batch"),
    path("arrivals/", views.ArrivalsApi.as_view(), name="api-arrivals"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
]
