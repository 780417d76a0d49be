from hotelcrm.exceptions import ApplicationError


class IntegrationError(ApplicationError):
    code = "integration_error"


class IdempotencyKeyReused(IntegrationError):
    code = "idempotency_key_reused"


class StayEventRefused(IntegrationError):
    code = "stay_event_refused"


IdempotencyKeyReused.status_code = 422


class IdempotencyInProgress(IntegrationError):
    code = "idempotency_in_progress"
    status_code = 409
