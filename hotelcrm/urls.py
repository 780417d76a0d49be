from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from hotelcrm import twofactor_views, views
from reports.views import home

admin.site.site_header = _("HotelCRM administration")
admin.site.site_title = _("HotelCRM")

api_v1 = [
    path("", include("hotelcrm.api.urls")),
    path("", include("integrations.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("accounts/2fa/", twofactor_views.status, name="two-factor"),
    path("accounts/2fa/verify/", twofactor_views.verify, name="two-factor-verify"),
    path("accounts/2fa/setup/", twofactor_views.setup, name="two-factor-setup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("hotel/switch/", views.switch_hotel, name="switch-hotel"),
    path("guests/", include("guests.urls")),
    path("audit/", include("hotelcrm.urls_audit")),
    path("complaints/", include("complaints.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("care/", include("care.urls")),
    path("notifications/", include("notifications.urls")),
    path("integrations/", include("integrations.urls")),
    path("reports/", include("reports.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]

handler404 = "hotelcrm.views.not_found"
