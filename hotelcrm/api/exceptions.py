from hotelcrm.exceptions import ApplicationError


class ApiError(ApplicationError):
    code = "integration_error"


class IdempotencyKeyReused(ApiError):
    code = "idempotency_key_reused"
    status_code = 422


class IdempotencyInProgress(ApiError):
    code = "idempotency_in_progress"
    status_code = 409
