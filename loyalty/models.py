"""Loyalty: one program per organization, tiers, memberships, the points ledger, rewards.

The ledger is the truth. A membership's balance is the sum of its entries' points; the
`balance` column is a cache every service updates under a row lock, and
`manage.py loyalty_check_balances` proves it equal to the sum. Positive entries are *lots*:
`remaining` says how many of their points are still unspent, and debits consume lots oldest
first (FIFO, through `LedgerAllocation`), so sum(remaining) == balance at all times and
expiry is exact per lot. The database refuses UPDATE of anything on an entry except
`remaining` (and `membership_id` when two guests' memberships are folded into one) and
DELETE of an entry whose membership still exists (migration 0002).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotelcrm.models import CURRENCY_VALIDATOR
from hotelcrm.tenancy import TenantModel


def luhn_check_digit(digits):
    """The Luhn check digit of a string of digits (what card numbers use): catches typos and swaps."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_is_valid(number):
    return bool(number) and number.isdigit() and len(number) >= 2 and luhn_check_digit(number[:-1]) == number[-1]


MEMBER_NUMBER_LENGTH = 10  # nine digits of sequence and one check digit


def member_number_for(sequence):
    body = f"{sequence:0{MEMBER_NUMBER_LENGTH - 1}d}"
    return body + luhn_check_digit(body)


class Program(TenantModel):
    """The organization's loyalty program: earn rules, bonuses, expiry and approval rules."""

    name = models.CharField(_("name"), max_length=120, default="HotelCRM Rewards")
    currency = models.CharField(_("spend currency"), max_length=3, default="CNY", validators=[CURRENCY_VALIDATOR])
    spend_unit = models.DecimalField(
        _("spend unit"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Points are earned per this much eligible spend."),
    )
    points_per_unit_room = models.PositiveIntegerField(_("points per unit of room spend"), default=10)
    points_per_unit_fb = models.PositiveIntegerField(_("points per unit of F&B spend"), default=10)
    points_per_unit_other = models.PositiveIntegerField(_("points per unit of other spend"), default=0)
    bonus_first_stay = models.PositiveIntegerField(_("first stay bonus"), default=500)
    bonus_birthday_stay = models.PositiveIntegerField(_("birthday stay bonus"), default=300)
    bonus_suggestion_adopted = models.PositiveIntegerField(_("adopted suggestion bonus"), default=200)
    # A stay earns (points, birthday bonus, tier credit) and gets the first-stay bonus only from
    # these minimums up: a 0-night or 0-revenue stay (a day use, a comp, an import's odd row)
    # must not pay a 500-point bonus.
    earn_min_nights = models.PositiveSmallIntegerField(
        _("minimum nights to earn"),
        default=1,
        help_text=_("A stay with fewer nights earns no points and no tier credit."),
    )
    earn_min_revenue = models.DecimalField(
        _("minimum revenue to earn"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("A stay with less revenue (room, F&B and other) earns no points and no tier credit."),
    )
    first_stay_min_nights = models.PositiveSmallIntegerField(_("minimum nights for the first stay bonus"), default=1)
    first_stay_min_revenue = models.DecimalField(
        _("minimum revenue for the first stay bonus"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    expiry_months_after_earning = models.PositiveSmallIntegerField(
        _("points expire after (months)"),
        null=True,
        blank=True,
        default=24,
        help_text=_("Empty: earned points do not expire by age."),
    )
    expiry_months_inactive = models.PositiveSmallIntegerField(
        _("points expire after inactivity (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: inactivity does not expire points."),
    )
    tier_validity_months = models.PositiveSmallIntegerField(
        _("tier valid for (months)"), default=12, validators=[MinValueValidator(1)]
    )
    adjustment_approval_threshold = models.PositiveIntegerField(
        _("adjustments needing approval above (points)"),
        default=1000,
    )
    next_member_sequence = models.PositiveBigIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("loyalty program")
        verbose_name_plural = _("loyalty programs")
        constraints = [models.UniqueConstraint(fields=["organization"], name="loyalty_program_one_per_org")]

    def __str__(self):
        return self.name


class Tier(TenantModel):
    """A tier. A member qualifies when ANY threshold is met over the rolling 12 months."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("program"))
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=80)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("0 for the entry tier; higher is better."))
    min_nights = models.PositiveIntegerField(_("qualifying nights"), null=True, blank=True)
    min_stays = models.PositiveIntegerField(_("qualifying stays"), null=True, blank=True)
    min_spend = models.DecimalField(_("qualifying spend"), max_digits=12, decimal_places=2, null=True, blank=True)
    multiplier = models.DecimalField(
        _("earn multiplier"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    benefits = models.TextField(_("benefits"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["organization_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="loyalty_tier_code_unique"),
            models.UniqueConstraint(fields=["organization", "rank"], name="loyalty_tier_rank_unique"),
        ]

    def __str__(self):
        return self.name


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another membership")


class Membership(TenantModel):
    """A guest's loyalty membership: one per guest, a member number unique in the organization."""

    guest = models.ForeignKey(
        "guests.GuestProfile", on_delete=models.PROTECT, related_name="+", verbose_name=_("guest")
    )
    member_number = models.CharField(_("member number"), max_length=12)
    joined_on = models.DateField(_("joined on"))
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier"))
    tier_valid_until = models.DateField(_("tier valid until"), null=True, blank=True)
    balance = models.BigIntegerField(_("points balance"), default=0)
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("loyalty membership")
        verbose_name_plural = _("loyalty memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "guest"], name="loyalty_membership_one_per_guest"),
            models.UniqueConstraint(fields=["organization", "member_number"], name="loyalty_member_number_unique"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="loyalty_membership_balance_not_negative"),
        ]

    def __str__(self):
        return self.member_number


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    ADJUST = "adjust", _("Adjusted")
    EXPIRE = "expire", _("Expired")
    REVERSE = "reverse", _("Reversed")


class SourceType(models.TextChoices):
    STAY = "stay", _("Stay")
    STAY_BIRTHDAY = "stay_birthday", _("Birthday stay bonus")
    FIRST_STAY = "first_stay", _("First stay bonus")
    COMPLAINT = "complaint", _("Adopted suggestion")
    REWARD_ORDER = "reward_order", _("Reward order")
    ADJUSTMENT = "adjustment", _("Staff adjustment")
    JOB_RUN = "job_run", _("Job run")
    MERGE = "merge", _("Profile merge")
    EXPIRY = "expiry", _("Expired on arrival")


class LedgerEntry(TenantModel):
    """One append-only movement of points. Positive entries are lots that debits consume FIFO."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("membership"))
    hotel = models.ForeignKey(
        "core.Hotel", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hotel")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    points = models.BigIntegerField(_("points"))
    remaining = models.BigIntegerField(_("unspent points"), default=0)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    source_type = models.CharField(_("source"), max_length=20, choices=SourceType.choices)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=160)
    # What the tier evaluation counts (stays carry them; reversals carry the negative).
    qualifying_nights = models.IntegerField(default=0)
    qualifying_stays = models.IntegerField(default=0)
    qualifying_spend = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), db_index=False)
    # The business date: what earns, tiers, expiry and the dashboard count by. A stay's entries
    # carry its checkout date (departure, the hotel's local date) whenever they are written, so
    # an imported 2015 stay is a 2015 entry; an expiry carries the expiry date; anything else the
    # local date it was written (its hotel's zone, or the organization's home zone).
    business_on = models.DateField(_("business date"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="loyalty_entry_idempotency_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(remaining__gte=0)
                & (models.Q(remaining=0) | models.Q(remaining__lte=models.F("points"))),
                name="loyalty_entry_remaining_within_points",
            ),
        ]
        indexes = [
            # The statement: one member's entries newest first.
            models.Index(fields=["organization", "membership", "created_at", "id"], name="loyalty_entry_statement_idx"),
            # FIFO consumption and expiry: only lots with points left.
            models.Index(
                fields=["organization", "membership", "expires_on", "id"],
                name="loyalty_entry_open_lots_idx",
                condition=models.Q(remaining__gt=0),
            ),
            models.Index(
                fields=["organization", "expires_on"],
                name="loyalty_entry_expiring_idx",
                condition=models.Q(remaining__gt=0),
            ),
            models.Index(fields=["organization", "source_type", "source_id"], name="loyalty_entry_source_idx"),
            models.Index(fields=["organization", "created_at"], name="loyalty_entry_org_time_idx"),
            # The dashboard's loyalty rollup and its drill-down: one hotel's entries by business date.
            models.Index(fields=["organization", "hotel", "business_on"], name="loyalty_entry_business_idx"),
            # The nightly tier evaluation reads only stay entries, by business date, index-only.
            models.Index(
                fields=["organization", "membership", "business_on"],
                name="loyalty_entry_qual_biz_idx",
                include=["qualifying_nights", "qualifying_stays", "qualifying_spend"],
                condition=models.Q(qualifying_stays__gt=0)
                | models.Q(qualifying_stays__lt=0)
                | models.Q(qualifying_nights__gt=0)
                | models.Q(qualifying_nights__lt=0)
                | models.Q(qualifying_spend__gt=0)
                | models.Q(qualifying_spend__lt=0),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points:+d}"


class LedgerAllocation(TenantModel):
    """Which lot a debit took its points from, so a refund can put them back into the same lots."""

    debit = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    points = models.BigIntegerField()

    class Meta:
        verbose_name = _("ledger allocation")
        verbose_name_plural = _("ledger allocations")
        indexes = [models.Index(fields=["organization", "debit"], name="loyalty_alloc_debit_idx")]


class RewardKind(models.TextChoices):
    ROOM_UPGRADE = "room_upgrade", _("Room upgrade")
    BREAKFAST = "breakfast", _("Breakfast")
    LATE_CHECKOUT = "late_checkout", _("Late checkout")
    FB_VOUCHER = "fb_voucher", _("F&B voucher")
    SPA = "spa", _("Spa")
    GIFT = "gift", _("Gift")
    BILL_OFFSET = "bill_offset", _("Bill offset")


class Reward(TenantModel):
    """An item of the catalog; hotel empty means every hotel of the organization offers it."""

    hotel = models.ForeignKey(
        "core.Hotel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hotel"),
        help_text=_("Empty: offered at every hotel."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RewardKind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    points_price = models.PositiveIntegerField(_("points price"), validators=[MinValueValidator(1)])
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty: unlimited."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["points_price", "name"]
        indexes = [models.Index(fields=["organization", "hotel"], name="loyalty_reward_org_hotel_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__isnull=True) | models.Q(stock__gte=0),
                name="loyalty_reward_stock_not_negative",
            )
        ]

    def __str__(self):
        return self.name


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled (refunded)")


class RedemptionOrder(TenantModel):
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("membership"))
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="+", verbose_name=_("reward"))
    hotel = models.ForeignKey("core.Hotel", on_delete=models.PROTECT, related_name="+", verbose_name=_("hotel"))
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("redemption order")
        verbose_name_plural = _("redemption orders")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "idempotency_key"], name="loyalty_order_idempotency_unique")
        ]
        indexes = [
            models.Index(fields=["organization", "hotel", "status", "placed_at"], name="loyalty_order_queue_idx"),
            models.Index(fields=["organization", "membership"], name="loyalty_order_member_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.reward}"


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class AdjustmentRequest(TenantModel):
    """A staff adjustment. Above the program's threshold it waits for a manager's approval."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("membership"))
    hotel = models.ForeignKey("core.Hotel", on_delete=models.PROTECT, related_name="+", verbose_name=_("hotel"))
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    is_goodwill = models.BooleanField(_("goodwill"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PENDING
    )
    # None when a PMS key asked (the API): `requested_via` names the key then.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_via = models.CharField(_("requested via"), max_length=40, blank=True, default="")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    # A caller's retry key (the API's Idempotency-Key): the same key never makes a second request.
    idempotency_key = models.CharField(max_length=160, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("points adjustment")
        verbose_name_plural = _("points adjustments")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "requested_at"], name="loyalty_adjust_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="loyalty_adjust_idempotency_uniq",
            ),
        ]

    def __str__(self):
        return f"{self.points:+d} ({self.get_status_display()})"


class JobKind(models.TextChoices):
    TIERS = "tiers", _("Tier evaluation")
    EXPIRY = "expiry", _("Points expiry")


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class JobRun(TenantModel):
    """One nightly run per organization, job and local date; `cursor` makes a crashed run resumable."""

    job = models.CharField(_("job"), max_length=10, choices=JobKind.choices)
    local_date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    cursor = models.BigIntegerField(default=0, help_text="Last membership id finished.")
    members_seen = models.PositiveIntegerField(_("members processed"), default=0)
    members_changed = models.PositiveIntegerField(_("members changed"), default=0)
    points = models.BigIntegerField(_("points expired"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("loyalty job run")
        verbose_name_plural = _("loyalty job runs")
        ordering = ["-local_date", "job"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "job", "local_date"], name="loyalty_jobrun_unique")
        ]

    def __str__(self):
        return f"{self.get_job_display()} {self.local_date}"
