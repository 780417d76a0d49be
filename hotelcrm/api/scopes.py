"""The API's scopes: what a key (or a staff role, through ROLE_SCOPES in hotelcrm.api.base) may call.

They live in the core so the API base can check them without knowing the integrations app,
which stores keys (integrations.models.IntegrationKey.scopes) and imports the enum from here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    GUESTS_READ = "guests:read", _("Read guest profiles")
    GUESTS_WRITE = "guests:write", _("Create and update guest profiles")
    STAYS_WRITE = "stays:write", _("Send reservation events")
    ARRIVALS_READ = "arrivals:read", _("Read the arrivals briefing")
    COMPLAINTS_WRITE = "complaints:write", _("Record and update complaints")
    LOYALTY_READ = "loyalty:read", _("Read points balances and statements")
    LOYALTY_WRITE = "loyalty:write", _("Award and redeem points")
