"""Constants of the API base that apps read without importing DRF (integrations.services purges
idempotency records with it; importing hotelcrm.api.base there would load DRF's settings, which
import the key authentication, which imports integrations.services)."""

import datetime

IDEMPOTENCY_TTL = datetime.timedelta(hours=24)
