from django.utils.translation import gettext as _

from hotelcrm.exceptions import ApplicationError


class LoyaltyError(ApplicationError):
    code = "loyalty_error"


class InsufficientPoints(LoyaltyError):
    code = "insufficient_points"

    def __init__(self, *, balance, needed):
        super().__init__(
            _("Not enough points: the balance is %(balance)s, %(needed)s are needed.")
            % {"balance": balance, "needed": needed},
            extra={"balance": balance, "needed": needed},
        )


class NotAMember(LoyaltyError):
    code = "not_a_member"


class AlreadyMember(LoyaltyError):
    code = "already_member"


class IdempotencyConflict(LoyaltyError):
    """The key was used before for a different request."""

    code = "idempotency_conflict"


class RewardUnavailable(LoyaltyError):
    code = "reward_unavailable"


class OrderStateError(LoyaltyError):
    code = "order_state"


class AdjustmentStateError(LoyaltyError):
    code = "adjustment_state"


class PointsLimitExceeded(LoyaltyError):
    """Over the hard per-request or per-day points limit of the caller (an API key or a staff role)."""

    code = "points_limit_exceeded"
    status_code = 403
