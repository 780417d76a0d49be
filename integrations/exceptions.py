from hotelcrm.api.exceptions import IdempotencyInProgress, IdempotencyKeyReused  # noqa: F401 (raised by the API base)
from hotelcrm.exceptions import ApplicationError


class IntegrationError(ApplicationError):
    code = "integration_error"


class StayEventRefused(IntegrationError):
    code = "stay_event_refused"
