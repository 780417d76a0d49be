"""Labels of the audit events the loyalty app writes (registered in LoyaltyConfig.ready)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "loyalty.enrol": _("Enrolled in the loyalty program"),
    "loyalty.points_award": _("Points awarded"),
    "loyalty.points_redeem": _("Points redeemed"),
    "loyalty.points_reverse": _("Points reversed"),
    "loyalty.adjustment_request": _("Points adjustment requested"),
    "loyalty.adjustment_approve": _("Points adjustment approved"),
    "loyalty.adjustment_reject": _("Points adjustment refused"),
    "loyalty.order_place": _("Reward ordered"),
    "loyalty.order_fulfil": _("Reward order fulfilled"),
    "loyalty.order_cancel": _("Reward order cancelled"),
    "loyalty.tier_update": _("Tier changed"),
    "loyalty.program_update": _("Loyalty program changed"),
    "loyalty.reward_save": _("Reward saved"),
    "loyalty.membership_fold": _("Memberships combined"),
    "loyalty.stay_sync": _("Stay points synchronised"),
}
DOMAINS = {"loyalty": _("Loyalty")}
