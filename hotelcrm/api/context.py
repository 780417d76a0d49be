"""The API key serving the current request, for the audit label (integrations.audit_context).

Set by the key authentication (integrations.api.authentication), reset by the API base's
finalize_response (hotelcrm.api.base.PmsApiView); the core holds the variable so the base
needs no import of the integrations app.
"""

# One variable for the whole request scope: hotelcrm.request_context clears it after every request.
from hotelcrm.request_context import current_api_key as current_key  # noqa: F401
