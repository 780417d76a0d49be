"""Guest care: campaigns, their messages and call tasks, and the nightly runs that make them.

Two constraints carry the promise that nothing is sent twice:
- `JobRun` is unique per (organization, job, hotel, local date): the dispatcher starts a
  hotel's daily run once, however often beat fires or how many dispatchers race.
- `Delivery` is unique per (organization, campaign, guest, occasion date): selecting the
  same audience again (a rerun, a retried task, a caught-up day) inserts nothing new.
"""

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotelcrm.tenancy import HotelScopedModel, TenantModel


class CampaignKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday greeting")
    ANNIVERSARY = "anniversary", _("Wedding anniversary greeting")
    HOLIDAY = "holiday", _("Holiday greeting")
    POST_STAY = "post_stay", _("Post-stay thank-you and survey")
    REVISIT = "revisit", _("Revisit call for key accounts")
    WIN_BACK = "win_back", _("Win-back for lapsed regulars")
    PRE_ARRIVAL = "pre_arrival", _("Pre-arrival message")
    ONE_OFF = "one_off", _("One-off to a saved segment")


# Service messages (about a stay the guest booked or just had) are not marketing and do not
# count towards the frequency cap; greetings and offers do.
SERVICE_KINDS = frozenset({CampaignKind.POST_STAY, CampaignKind.PRE_ARRIVAL})
# Processing order inside a hotel's daily run: the more personal message wins the weekly cap.
KIND_PRIORITY = [
    CampaignKind.POST_STAY,
    CampaignKind.PRE_ARRIVAL,
    CampaignKind.REVISIT,
    CampaignKind.BIRTHDAY,
    CampaignKind.ANNIVERSARY,
    CampaignKind.HOLIDAY,
    CampaignKind.WIN_BACK,
    CampaignKind.ONE_OFF,
]


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    CALL = "call", _("Call task for staff")


class MessageLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    CHINESE = "zh-hans", _("Simplified Chinese")


class CareSettings(HotelScopedModel):
    """A hotel's sending rules; a hotel without a row uses the defaults below."""

    send_time = models.TimeField(
        _("daily send time"),
        default=datetime.time(10, 0),
        help_text=_("Local time of the hotel at which the day's greetings go out."),
    )
    quiet_start = models.TimeField(_("quiet hours start"), default=datetime.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=datetime.time(8, 0))
    frequency_cap_days = models.PositiveSmallIntegerField(
        _("frequency cap (days)"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
        help_text=_("At most one marketing message per guest in this many days (0: no cap)."),
    )
    catch_up_days = models.PositiveSmallIntegerField(
        _("catch-up window (days)"),
        default=2,
        validators=[MaxValueValidator(14)],
        help_text=_("Days missed during downtime are caught up for this many days back, never more."),
    )

    class Meta:
        verbose_name = _("care settings")
        verbose_name_plural = _("care settings")
        constraints = [models.UniqueConstraint(fields=["organization", "hotel"], name="caresettings_one_per_hotel")]

    def __str__(self):
        return f"{self.hotel_id}: {self.send_time:%H:%M}"

    def in_quiet_hours(self, local_time):
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= local_time < end
        return local_time >= start or local_time < end  # wraps past midnight


class HolidayCalendar(models.TextChoices):
    GREGORIAN = "gregorian", _("Every year, Gregorian date")
    LUNAR = "lunar", _("Every year, Chinese lunar date")
    DATED = "dated", _("One date only")


class Holiday(TenantModel):
    """A public holiday or festival on the organization's calendar, and whom it fits."""

    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    calendar = models.CharField(
        _("calendar"), max_length=10, choices=HolidayCalendar.choices, default=HolidayCalendar.GREGORIAN
    )
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)
    on_date = models.DateField(_("date"), null=True, blank=True)
    nationalities = ArrayField(
        models.CharField(max_length=2),
        verbose_name=_("for nationalities"),
        default=list,
        blank=True,
        help_text=_("ISO codes such as CN, HK, TW; empty for everyone."),
    )
    languages = ArrayField(
        models.CharField(max_length=10),
        verbose_name=_("for languages"),
        default=list,
        blank=True,
        help_text=_("Language codes such as zh, en; empty for everyone."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["month", "day", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="holiday_name_unique_per_org")]

    def __str__(self):
        return self.name

    def date_in(self, year):
        from care.occasions import holiday_date_in

        return holiday_date_in(self, year)


class Segment(TenantModel):
    """A saved guest filter for one-off campaigns (see care.audience.SEGMENT_FIELDS)."""

    name = models.CharField(_("name"), max_length=100)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="segment_name_unique_per_org")]

    def __str__(self):
        return self.name


class Campaign(HotelScopedModel):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=20, choices=CampaignKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    holiday = models.ForeignKey(
        Holiday, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("holiday")
    )
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("segment")
    )
    days_offset = models.PositiveSmallIntegerField(
        _("days"),
        default=0,
        validators=[MaxValueValidator(730)],
        help_text=_(
            "Post-stay: days after checkout. Pre-arrival: days before arrival. Win-back: days since the last stay."
        ),
    )
    min_stays = models.PositiveSmallIntegerField(_("minimum stays (win-back)"), default=2)
    cadence_days = models.PositiveSmallIntegerField(
        _("call cadence in days (revisit)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    scheduled_on = models.DateField(_("send on (one-off)"), null=True, blank=True)
    allows_confidential = models.BooleanField(
        _("include confidential-service guests"),
        default=False,
        help_text=_("Off by default: guests who asked for confidential service are left out."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hotel", "name"], name="campaign_name_unique_per_hotel"),
        ]
        indexes = [models.Index(fields=["organization", "hotel", "is_active"], name="campaign_org_hotel_active_idx")]

    def __str__(self):
        return self.name

    @property
    def is_marketing(self):
        return self.kind not in SERVICE_KINDS


class MessageTemplate(TenantModel):
    """The text of a campaign in one language; {{ variables }} are filled per guest."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="templates", verbose_name=_("campaign")
    )
    language = models.CharField(_("language"), max_length=10, choices=MessageLanguage.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["organization", "campaign", "language"], name="template_one_per_language"),
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.language}"


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Sending")
    DONE = "done", _("Done")


class JobRun(HotelScopedModel):
    """One daily care job of one hotel for one local date; the row that makes it happen once."""

    job = models.CharField(_("job"), max_length=40)
    local_date = models.DateField(_("local date"))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    selected = models.PositiveIntegerField(_("messages selected"), default=0)
    selected_at = models.DateTimeField(_("selected at"), null=True, blank=True)
    chunks = models.PositiveIntegerField(_("chunks"), default=0)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    touched_at = models.DateTimeField(_("last progress at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-local_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "job", "hotel", "local_date"], name="jobrun_once_per_local_date"
            ),
        ]
        indexes = [models.Index(fields=["status", "touched_at"], name="jobrun_status_idx")]

    def __str__(self):
        return f"{self.job} {self.local_date}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    SKIPPED = "skipped", _("Skipped")


class Delivery(HotelScopedModel):
    """One message (or call task) of one campaign to one guest for one occasion.

    The nightly run inserts hundreds of thousands of these at once, so the table carries only
    the indexes something reads through, and no database-level foreign-key checks towards the
    organization, hotel, campaign, run and guest (each check is a lookup and a row lock on the
    parent, per inserted row, at commit): the organization, hotel and campaign are never deleted
    while deliveries point at them (PROTECT, checked by Django); a run's or guest's deletion
    goes through Django, which nulls or deletes the deliveries first (SET_NULL, CASCADE; guests
    are anonymised rather than deleted); every insert takes its ids from the rows it selects.
    The stay keeps its constraint (few rows have one).
    """

    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organization"),
        db_constraint=False,
        db_index=False,
    )
    hotel = models.ForeignKey(
        "core.Hotel",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("hotel"),
        db_constraint=False,
        db_index=False,
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("campaign"),
        db_constraint=False,
        db_index=False,
    )
    guest = models.ForeignKey(
        "guests.GuestProfile",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("guest"),
        db_constraint=False,
        db_index=False,
    )
    occasion_on = models.DateField(_("occasion"))
    stay = models.ForeignKey(
        "guests.Stay", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    run = models.ForeignKey(
        JobRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False, db_index=False
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    is_marketing = models.BooleanField(_("marketing"), default=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("reason"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            # Also the index for (organization, campaign) lookups: campaign counts, PROTECT checks.
            models.UniqueConstraint(
                fields=["organization", "campaign", "guest", "occasion_on"], name="delivery_once_per_occasion"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "run", "status"], name="delivery_org_run_idx"),
            models.Index(fields=["organization", "hotel", "-created_at"], name="delivery_org_hotel_time_idx"),
            # A guest's messages: the frequency cap, "greeted elsewhere for this occasion", merges.
            models.Index(fields=["organization", "guest", "created_at"], name="delivery_org_guest_idx"),
            # Only stay-driven messages have a stay: a small index for SET_NULL when a stay goes.
            models.Index(fields=["stay"], condition=models.Q(stay__isnull=False), name="delivery_stay_idx"),
        ]

    def __str__(self):
        return f"{self.campaign_id} → {self.guest_id} ({self.occasion_on})"


class HomeGuests(HotelScopedModel):
    """The guests whose home hotel is this hotel, as the group's first care run of a local date found them.

    A guest's home hotel is the hotel of their latest stay (booked, in house or checked out;
    the latest arrival, then the stay recorded last). Birthdays, anniversaries and holidays are
    the group's occasions: only the home hotel greets for them. One snapshot per organization and
    local date, taken once for all its hotels, so every hotel's run of that date sees the same
    split and no guest belongs to two hotels that day, whatever stays arrive in between.
    """

    local_date = models.DateField(_("local date"))
    guest_ids = ArrayField(models.BigIntegerField(), verbose_name=_("guests"), default=list, blank=True)
    created_at = models.DateTimeField(_("taken at"), auto_now_add=True)

    class Meta:
        verbose_name = _("home guests of a hotel")
        verbose_name_plural = _("home guests of hotels")
        constraints = [
            models.UniqueConstraint(fields=["organization", "hotel", "local_date"], name="homeguests_once_per_date"),
        ]

    def __str__(self):
        return f"{self.hotel_id} {self.local_date}: {len(self.guest_ids)}"


class CallTaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Spoke with the guest")
    VISITED = "visited", _("Visited the guest")
    NO_ANSWER = "no_answer", _("No answer")
    CALL_BACK = "call_back", _("Asked to be called back")
    DECLINED = "declined", _("Declined to talk")


class CallReason(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign call")
    LOW_SCORE = "low_score", _("Low survey score")


class CallTask(HotelScopedModel):
    """A call or visit for staff, with the guest's context, closed with a short report."""

    guest = models.ForeignKey(
        "guests.GuestProfile", on_delete=models.CASCADE, related_name="+", verbose_name=_("guest")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=CallReason.choices, default=CallReason.CAMPAIGN)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("campaign")
    )
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    survey = models.ForeignKey("care.SurveyResponse", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    due_on = models.DateField(_("due"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(_("status"), max_length=10, choices=CallTaskStatus.choices, default=CallTaskStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    report = models.TextField(_("call report"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call task")
        verbose_name_plural = _("call tasks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "delivery"], name="calltask_once_per_delivery"),
            models.UniqueConstraint(fields=["organization", "survey"], name="calltask_once_per_survey"),
        ]
        indexes = [models.Index(fields=["organization", "hotel", "status", "due_on"], name="calltask_queue_idx")]

    def __str__(self):
        return f"{self.get_reason_display()} {self.due_on}"


class SurveyResponse(HotelScopedModel):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="+")
    guest = models.ForeignKey(
        "guests.GuestProfile", on_delete=models.CASCADE, related_name="+", verbose_name=_("guest")
    )
    csat = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    nps = models.PositiveSmallIntegerField(_("likelihood to recommend (0-10)"), validators=[MaxValueValidator(10)])
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(fields=["organization", "delivery"], name="survey_once_per_delivery"),
            models.CheckConstraint(
                condition=models.Q(csat__gte=1, csat__lte=5, nps__lte=10), name="survey_scores_in_range"
            ),
        ]

    @property
    def is_low(self):
        return self.csat <= 2 or self.nps <= 6


class Unsubscribe(TenantModel):
    """A guest's opt-out through the link in a message: the consent change it made."""

    guest = models.ForeignKey("guests.GuestProfile", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    delivery = models.ForeignKey(Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("unsubscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscribe")
        verbose_name_plural = _("unsubscribes")
        indexes = [models.Index(fields=["organization", "guest"], name="unsubscribe_org_guest_idx")]


class ChurnReason(models.TextChoices):
    OVERDUE = "overdue", _("Overdue for a stay")
    FEWER_STAYS = "fewer_stays", _("Fewer stays than the year before")
    LOWER_SPEND = "lower_spend", _("Spending less than the year before")
    OPEN_COMPLAINT = "open_complaint", _("Open complaint")
    LOW_RATING = "low_rating", _("Low rating in the last year")
    HIGH_VALUE = "high_value", _("High-value guest")


CHURN_REASON_TEXT = {
    ChurnReason.OVERDUE: _("No stay for %(days)s days; usually back every %(usual)s days"),
    ChurnReason.FEWER_STAYS: _("%(recent)s stays in the last 12 months, %(before)s in the 12 before"),
    ChurnReason.LOWER_SPEND: _("Spent less than half of the year before"),
    ChurnReason.OPEN_COMPLAINT: _("Open complaints: %(count)s"),
    ChurnReason.LOW_RATING: _("Low ratings in the last year: %(count)s"),
    ChurnReason.HIGH_VALUE: _("Among the group's top quarter of regulars by spend"),
}


def churn_reason_text(code, params):
    text = CHURN_REASON_TEXT.get(code)
    if text is None:
        return str(code)
    try:
        return str(text) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(ChurnReason(code).label) if code in ChurnReason.values else str(code)


class ChurnScore(TenantModel):
    """A regular guest's churn risk, recomputed each night from stays, complaints and surveys.

    One row per guest (guests with at least two stays); `reasons` holds [code, params] pairs
    that the watch list renders in the reader's language.
    """

    guest = models.ForeignKey(
        "guests.GuestProfile", on_delete=models.CASCADE, related_name="+", verbose_name=_("guest")
    )
    score = models.PositiveSmallIntegerField(_("churn risk (0-100)"), validators=[MaxValueValidator(100)])
    reasons = models.JSONField(_("reasons"), default=list)
    on_watch = models.BooleanField(_("on the watch list"), default=False)
    watch_since = models.DateField(_("on the watch list since"), null=True, blank=True)
    last_stay_on = models.DateField(_("last stay"), null=True, blank=True)
    computed_on = models.DateField(_("computed on"))

    class Meta:
        verbose_name = _("churn score")
        verbose_name_plural = _("churn scores")
        constraints = [models.UniqueConstraint(fields=["organization", "guest"], name="churnscore_one_per_guest")]
        indexes = [
            models.Index(
                fields=["organization", "on_watch", "-score"], name="churn_watch_idx", condition=models.Q(on_watch=True)
            )
        ]

    def __str__(self):
        return f"{self.guest_id}: {self.score}"

    @property
    def reason_texts(self):
        """The reasons in the reader's language (evaluated when rendered)."""
        return [churn_reason_text(code, params) for code, params in self.reasons]


class ChurnRun(TenantModel):
    """One nightly scoring of an organization (its home hotel's local date): the watch list's movement."""

    local_date = models.DateField(_("local date"))
    scored = models.PositiveIntegerField(_("guests scored"), default=0)
    on_watch = models.PositiveIntegerField(_("on the watch list"), default=0)
    entered = models.PositiveIntegerField(_("joined the watch list"), default=0)
    left = models.PositiveIntegerField(_("left the watch list"), default=0)
    reasons = models.JSONField(_("reasons on the watch list"), default=dict)
    finished_at = models.DateTimeField(_("finished at"), auto_now_add=True)

    class Meta:
        verbose_name = _("churn scoring run")
        verbose_name_plural = _("churn scoring runs")
        constraints = [models.UniqueConstraint(fields=["organization", "local_date"], name="churnrun_once_per_day")]

    def __str__(self):
        return f"{self.organization_id} {self.local_date}"
