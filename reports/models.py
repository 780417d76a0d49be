"""Rollups the dashboards read instead of the raw tables, and report subscriptions.

Every rollup row belongs to one hotel and one *local* day of that hotel (its own time zone), so
a complaint received at 23:30 in Shanghai counts on that Shanghai date. Rollups are derived
data: `reports.services.rollups_rebuild` recomputes and replaces any (hotel, day range) from the
raw rows, and `manage.py check_rollups` proves they agree.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotelcrm.tenancy import HotelScopedModel, TenantModel


class StayDimension(models.TextChoices):
    TOTAL = "total", _("All stays")
    GUEST_TYPE = "guest_type", _("Guest type")
    GENDER = "gender", _("Gender")
    NATIONALITY = "nationality", _("Nationality")
    AGE_BAND = "age_band", _("Age band")


class StayDailyRollup(HotelScopedModel):
    """Stays arriving on one local day at one hotel, once in total and once per value of each dimension."""

    day = models.DateField(_("day"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=StayDimension.choices)
    value = models.CharField(_("value"), max_length=40, blank=True)
    arrivals = models.IntegerField(_("arrivals"), default=0)
    # Stays that are the guest's first (non-cancelled) stay anywhere in the organization.
    new_guests = models.IntegerField(_("new guests"), default=0)
    nights = models.IntegerField(_("room nights"), default=0)
    room_revenue = models.DecimalField(_("room revenue"), max_digits=16, decimal_places=2, default=0)
    fb_revenue = models.DecimalField(_("F&B revenue"), max_digits=16, decimal_places=2, default=0)
    other_revenue = models.DecimalField(_("other revenue"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("stay rollup")
        verbose_name_plural = _("stay rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "day", "dimension", "value"], name="stay_rollup_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "dimension", "day"], name="stay_rollup_org_dim_day_idx")]


class ComplaintDimension(models.TextChoices):
    TOTAL = "total", _("All complaints")
    CATEGORY = "category", _("Category")
    DEPARTMENT = "department", _("Department")
    CHANNEL = "channel", _("Channel")
    SEVERITY = "severity", _("Severity")
    ROOT_CAUSE = "root_cause", _("Root cause")
    SATISFACTION = "satisfaction", _("Satisfaction with handling")
    # Histograms behind the medians: the value is the lower bound of a bucket of minutes.
    ACK_MINUTES = "ack_minutes", _("Minutes to acknowledge")
    RESOLVE_MINUTES = "resolve_minutes", _("Minutes to resolve")


class ComplaintDailyRollup(HotelScopedModel):
    """Complaints received on one local day at one hotel (by when they were received), per dimension."""

    day = models.DateField(_("day"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=ComplaintDimension.choices)
    value = models.CharField(_("value"), max_length=100, blank=True)
    received = models.IntegerField(_("received"), default=0)
    acknowledged = models.IntegerField(_("acknowledged"), default=0)
    acknowledge_minutes = models.BigIntegerField(_("minutes to acknowledge (sum)"), default=0)
    resolved = models.IntegerField(_("resolved"), default=0)
    resolve_minutes = models.BigIntegerField(_("minutes to resolve (sum)"), default=0)
    resolved_on_time = models.IntegerField(_("resolved within the SLA"), default=0)
    rated = models.IntegerField(_("rated"), default=0)
    satisfaction_sum = models.IntegerField(_("satisfaction (sum)"), default=0)
    reopened = models.IntegerField(_("reopened"), default=0)
    justified = models.IntegerField(_("justified"), default=0)

    class Meta:
        verbose_name = _("complaint rollup")
        verbose_name_plural = _("complaint rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "day", "dimension", "value"], name="complaint_rollup_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "dimension", "day"], name="complaint_rollup_org_dim_idx")]


class LoyaltyDailyRollup(TenantModel):
    """Points ledger entries of one hotel's business date (LedgerEntry.business_on), per entry kind.

    Entries without a hotel (expiry runs, adjustments at group level) have an empty hotel.
    """

    hotel = models.ForeignKey(
        "core.Hotel", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("hotel")
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10)
    entries = models.IntegerField(_("entries"), default=0)
    points = models.BigIntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("loyalty rollup")
        verbose_name_plural = _("loyalty rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "day", "kind"], name="loyalty_rollup_unique", nulls_distinct=False
            ),
        ]
        indexes = [models.Index(fields=["organization", "day"], name="loyalty_rollup_org_day_idx")]


class CareDailyRollup(HotelScopedModel):
    """Care messages queued on one local day at one hotel, per campaign and channel, with their survey answers."""

    day = models.DateField(_("day"))
    campaign_id_value = models.BigIntegerField(_("campaign"))
    channel = models.CharField(_("channel"), max_length=10)
    deliveries = models.IntegerField(_("messages"), default=0)
    sent = models.IntegerField(_("sent"), default=0)
    failed = models.IntegerField(_("failed or bounced"), default=0)
    skipped = models.IntegerField(_("skipped"), default=0)
    responses = models.IntegerField(_("survey responses"), default=0)
    csat_sum = models.IntegerField(_("satisfaction (sum)"), default=0)
    promoters = models.IntegerField(_("promoters"), default=0)
    detractors = models.IntegerField(_("detractors"), default=0)

    class Meta:
        verbose_name = _("care rollup")
        verbose_name_plural = _("care rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "day", "campaign_id_value", "channel"], name="care_rollup_unique"
            ),
        ]


class SurveyDailyRollup(HotelScopedModel):
    """Survey answers given on one local day at one hotel, per (CSAT, NPS) pair: trend and distributions in one table."""

    day = models.DateField(_("day"))
    csat = models.PositiveSmallIntegerField(_("satisfaction (1-5)"))
    nps = models.PositiveSmallIntegerField(_("likelihood to recommend (0-10)"))
    responses = models.IntegerField(_("survey responses"), default=0)
    comments = models.IntegerField(_("with a comment"), default=0)

    class Meta:
        verbose_name = _("survey rollup")
        verbose_name_plural = _("survey rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "day", "csat", "nps"], name="survey_rollup_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "hotel", "day"], name="survey_rollup_scope_day_idx")]


class GuestRfm(TenantModel):
    """Recency, frequency and monetary scores of a guest, organization-wide (hotel empty) or at one hotel."""

    hotel = models.ForeignKey(
        "core.Hotel", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("hotel")
    )
    guest = models.ForeignKey(
        "guests.GuestProfile", on_delete=models.CASCADE, related_name="+", verbose_name=_("guest")
    )
    as_of = models.DateField(_("as of"))
    last_departure_on = models.DateField(_("last departure"))
    stays = models.IntegerField(_("stays"))
    revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2)
    recency = models.PositiveSmallIntegerField(_("recency score"))
    frequency = models.PositiveSmallIntegerField(_("frequency score"))
    monetary = models.PositiveSmallIntegerField(_("monetary score"))
    segment = models.CharField(_("segment"), max_length=20)

    class Meta:
        verbose_name = _("RFM score")
        verbose_name_plural = _("RFM scores")
        indexes = [
            models.Index(fields=["organization", "hotel", "segment", "-revenue"], name="rfm_scope_segment_idx"),
            models.Index(fields=["organization", "guest"], name="rfm_org_guest_idx"),
        ]


class RfmSegmentCount(TenantModel):
    """How many guests fall in each segment of a scope: what the dashboard reads instead of GuestRfm."""

    hotel = models.ForeignKey(
        "core.Hotel", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("hotel")
    )
    as_of = models.DateField(_("as of"))
    segment = models.CharField(_("segment"), max_length=20)
    guests = models.IntegerField(_("guests"))
    revenue = models.DecimalField(_("revenue"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("RFM segment count")
        verbose_name_plural = _("RFM segment counts")
        indexes = [models.Index(fields=["organization", "hotel"], name="rfm_count_scope_idx")]


class TierCount(TenantModel):
    """Active loyalty members per tier, counted by the nightly organization job with the RFM scores:
    what the group dashboard reads instead of counting a million memberships on every view."""

    as_of = models.DateField(_("as of"))
    tier_code = models.SlugField(_("code"), max_length=30)
    tier_name = models.CharField(_("tier"), max_length=80)
    tier_rank = models.PositiveSmallIntegerField(_("rank"))
    members = models.IntegerField(_("members"))

    class Meta:
        verbose_name = _("members per tier")
        verbose_name_plural = _("members per tier")
        indexes = [models.Index(fields=["organization", "tier_rank"], name="tier_count_org_idx")]


class RollupRun(HotelScopedModel):
    """The nightly refresh of one hotel for one local date: claimed once, finished once."""

    local_date = models.DateField(_("local date"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")
        constraints = [
            models.UniqueConstraint(fields=["organization", "hotel", "local_date"], name="rollup_run_unique"),
        ]


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly (Mondays, the previous 7 days)")
    MONTHLY = "monthly", _("Monthly (the 1st, the previous month)")


class ReportSubscription(HotelScopedModel):
    """A manager's standing order for the dashboard summary by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    is_group = models.BooleanField(_("whole group"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_period_end_on = models.DateField(_("last period sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "user", "frequency"], name="report_subscription_unique"
            ),
        ]


class RollupDirtyDay(TenantModel):
    """A local day of a hotel whose rollups no longer match the raw rows.

    Written by database triggers on the raw tables (stays, guest profiles, complaints, ledger
    entries, care deliveries and survey answers), so every path that writes (UI, PMS API,
    import, admin, COPY, raw SQL) marks what it changed; `reports.services.rollups_refresh_dirty`
    recomputes the marked days every few minutes and removes the marks it covered. Append-only
    with no unique key: concurrent writers never wait on each other here. `hotel` is empty for
    the group's own loyalty entries (no hotel), whose days are UTC days.
    """

    hotel = models.ForeignKey(
        "core.Hotel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("hotel"),
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("day to refresh")
        verbose_name_plural = _("days to refresh")
        indexes = [models.Index(fields=["organization", "hotel", "day"], name="rollup_dirty_org_hotel_day_idx")]


class BookingDimension(models.TextChoices):
    TOTAL = "total", _("All bookings")
    LEAD_TIME = "lead_time", _("Lead time")
    PARTY = "party", _("Party")
    SEGMENT = "segment", _("Market segment")
    CHANNEL = "channel", _("Booking channel")
    # Rows of the day a booking was cancelled (its cancelled_at in the hotel's zone), not of its arrival.
    CANCELLED_ON = "cancelled_on", _("Cancelled on")


class BookingDailyRollup(HotelScopedModel):
    """Reservations of one hotel whatever became of them: by local arrival day (in total and per lead
    time, party, segment and channel), and by the local day they were cancelled (cancelled_on)."""

    day = models.DateField(_("day"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=BookingDimension.choices)
    value = models.CharField(_("value"), max_length=40, blank=True)
    bookings = models.IntegerField(_("bookings"), default=0)
    cancelled = models.IntegerField(_("cancelled"), default=0)
    no_shows = models.IntegerField(_("no-shows"), default=0)

    class Meta:
        verbose_name = _("booking rollup")
        verbose_name_plural = _("booking rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "day", "dimension", "value"], name="booking_rollup_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "dimension", "day"], name="booking_rollup_org_dim_day_idx")]
