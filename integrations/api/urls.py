from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from hotelcrm.api.base import KeyRateThrottle
from integrations.api import complaints, guests, guests_batch, loyalty, views
from integrations.views import api_docs

urlpatterns = [
    path("guests/", guests.GuestListApi.as_view(), name="api-guest-list"),
    path("guests/upsert/", guests.GuestUpsertApi.as_view(), name="api-guest-upsert"),
    path("guests/lookup/", guests.GuestLookupApi.as_view(), name="api-guest-lookup"),
    path("guests/<int:pk>/", guests.GuestDetailApi.as_view(), name="api-guest-detail"),
    path("guests/upsert/batch/", guests_batch.GuestUpsertBatchApi.as_view(), name="api-guest-upsert-batch"),
    path("stays/events/", views.StayEventApi.as_view(), name="api-stay-event"),
    path("stays/events/batch/", views.StayEventBatchApi.as_view(), name="api-stay-event-batch"),
    path("keys/<int:pk>/", views.IntegrationKeyApi.as_view(), name="api-key-detail"),
    path("arrivals/", views.ArrivalsApi.as_view(), name="api-arrivals"),
    path("guests/<int:pk>/loyalty/", loyalty.LoyaltyBalanceApi.as_view(), name="api-loyalty-balance"),
    path("guests/<int:pk>/loyalty/statement/", loyalty.LoyaltyStatementApi.as_view(), name="api-loyalty-statement"),
    path("guests/<int:pk>/loyalty/award/", loyalty.LoyaltyAwardApi.as_view(), name="api-loyalty-award"),
    path("guests/<int:pk>/loyalty/redeem/", loyalty.LoyaltyRedeemApi.as_view(), name="api-loyalty-redeem"),
    path("complaints/", complaints.ComplaintListApi.as_view(), name="api-complaint-list"),
    path(
        "complaints/<int:pk>/transition/", complaints.ComplaintTransitionApi.as_view(), name="api-complaint-transition"
    ),
    path("schema/", SpectacularAPIView.as_view(throttle_classes=[KeyRateThrottle]), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
]
