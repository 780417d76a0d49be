"""The API key serving the current request, for the audit label (integrations.audit_context).

Set by the key authentication (integrations.api.authentication), reset by the API base's
finalize_response (hotelcrm.api.base.PmsApiView); the core holds the variable so the base
needs no import of the integrations app.
"""

import contextvars

current_key = contextvars.ContextVar("integration_key", default=None)
