"""What a request knows about its caller beyond its own arguments, and the one place that clears it.

Audit events written while an API key's call is served name the key (integrations connects a
pre_save receiver that reads `current_api_key`). Such values live in context variables, which
outlive a request in a worker thread unless someone resets them: a key set by one request was
credited with the next anonymous request's events. `request_scope` (entered by TenantMiddleware
around every route, the API's included) starts each request with no key and the request's
tenant, and restores both when the response is done, whatever the view did.
"""

import contextvars
from contextlib import contextmanager

from hotelcrm import rls

# The integration key serving this request (set by the API's key authentication), or None.
current_api_key = contextvars.ContextVar("hotelcrm_api_key", default=None)


@contextmanager
def request_scope(tenant):
    key_token = current_api_key.set(None)
    try:
        with rls.tenant_context(tenant):
            yield
    finally:
        current_api_key.reset(key_token)
