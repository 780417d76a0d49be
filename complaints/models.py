"""Complaints: the service-recovery record of one hotel, its timeline, checklist, SLA clocks and closing."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotelcrm.tenancy import HotelScopedModel, TenantModel


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    ONLINE_REVIEW = "online_review", _("Online review")
    SURVEY = "survey", _("Survey")


class Category(models.TextChoices):
    FACILITY = "facility", _("Facility")
    SERVICE = "service", _("Service")
    HYGIENE = "hygiene", _("Hygiene")
    LOST_PROPERTY = "lost_property", _("Lost property")
    COMPENSATION = "compensation", _("Compensation")
    ATTITUDE = "attitude", _("Attitude")
    PRICE_BILLING = "price_billing", _("Price / billing")
    COMMUNICATION = "communication", _("Communication")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    FOLLOW_UP_DONE = "follow_up_done", _("Follow-up done")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses whose resolve clock is still running: the queue and the escalation scan look at these.
OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)


class Outcome(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    NOT_JUSTIFIED = "not_justified", _("Not justified")


class Threshold(models.TextChoices):
    AT_RISK = "at_risk", _("SLA at risk")
    BREACH = "breach", _("Breached")
    HARD_LIMIT = "hard_limit", _("Hard limit breached")


class Department(HotelScopedModel):
    name = models.CharField(_("name"), max_length=100)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department head"),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "hotel", "name"], name="complaint_department_unique_name"),
        ]

    def __str__(self):
        return self.name


class SlaPolicy(TenantModel):
    """The organization's complaint clocks; a missing row means the defaults below."""

    acknowledge_minutes = models.PositiveIntegerField(
        _("acknowledge within (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    resolve_minutes = models.PositiveIntegerField(
        _("resolve within (minutes)"), default=24 * 60, validators=[MinValueValidator(1)]
    )
    hard_limit_minutes = models.PositiveIntegerField(
        _("hard limit (minutes)"), default=48 * 60, validators=[MinValueValidator(1)]
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk after (percent of the resolve time)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [models.UniqueConstraint(fields=["organization"], name="complaint_sla_policy_one_per_org")]

    def __str__(self):
        return str(_("SLA policy"))


class SlaOverride(TenantModel):
    """Shorter (or longer) clocks for one severity; blank fields keep the policy's value."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    acknowledge_minutes = models.PositiveIntegerField(_("acknowledge within (minutes)"), null=True, blank=True)
    resolve_minutes = models.PositiveIntegerField(_("resolve within (minutes)"), null=True, blank=True)
    hard_limit_minutes = models.PositiveIntegerField(_("hard limit (minutes)"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA override")
        verbose_name_plural = _("SLA overrides")
        constraints = [
            models.UniqueConstraint(fields=["organization", "severity"], name="complaint_sla_override_per_severity"),
        ]

    def __str__(self):
        return self.get_severity_display()


class HotelComplaintSettings(HotelScopedModel):
    compensation_approval_threshold = models.DecimalField(
        _("compensation needing a manager's approval (above)"),
        max_digits=10,
        decimal_places=2,
        default=500,
    )
    general_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("general manager"),
    )
    malicious_warning_threshold = models.PositiveSmallIntegerField(
        _("malicious complaints before a guest is warned"),
        default=2,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("hotel complaint settings")
        verbose_name_plural = _("hotel complaint settings")
        constraints = [
            models.UniqueConstraint(fields=["organization", "hotel"], name="complaint_settings_one_per_hotel")
        ]

    def __str__(self):
        return str(self.hotel_id)


class Complaint(HotelScopedModel):
    guest = models.ForeignKey(
        "guests.GuestProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("guest"),
    )
    guest_name = models.CharField(_("guest's name (walk-in)"), max_length=120, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.IN_PERSON)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subcategory = models.CharField(_("subcategory"), max_length=100, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    room_number = models.CharField(_("room"), max_length=16, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    description = models.TextField(_("what happened"))
    guest_wish = models.TextField(_("what the guest wants"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("received at"))
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    hard_due_at = models.DateTimeField(_("hard limit"))
    # The next SLA threshold still to be announced; NULL once none is left or the clock stopped.
    # The escalation scan reads only this column (partial index), whatever the table's size.
    next_escalation_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    response_language = models.CharField(_("response language"), max_length=10, blank=True)
    response_text = models.TextField(_("written response to the guest"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("guest satisfaction (1-5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    satisfaction_source = models.CharField(_("satisfaction given"), max_length=10, blank=True)
    is_flagged = models.BooleanField(_("flagged: guest not satisfied"), default=False)
    root_cause = models.TextField(_("root cause"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    is_malicious = models.BooleanField(_("malicious complaint"), default=False)
    is_suggestion_adopted = models.BooleanField(_("suggestion adopted"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency: every change bumps it; a form posts the version it showed.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The queue: a hotel's open complaints by resolve due time.
            models.Index(
                fields=["organization", "hotel", "resolve_due_at"],
                name="complaint_open_queue_idx",
                condition=models.Q(status__in=["received", "acknowledged", "in_progress"]),
            ),
            models.Index(fields=["organization", "hotel", "status", "-received_at"], name="complaint_hotel_status_idx"),
            models.Index(fields=["organization", "hotel", "-received_at"], name="complaint_hotel_recent_idx"),
            # The escalation scan.
            models.Index(
                fields=["next_escalation_at"],
                name="complaint_escalation_idx",
                condition=models.Q(next_escalation_at__isnull=False),
            ),
            models.Index(
                fields=["organization", "guest"], name="complaint_guest_idx", condition=models.Q(guest__isnull=False)
            ),
            models.Index(
                fields=["organization", "closed_at"],
                name="complaint_org_closed_idx",
                condition=models.Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_category_display()}"

    @property
    def guest_label(self):
        if self.guest_id:
            return self.guest.display_name
        return self.guest_name

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class ComplaintTransition(HotelScopedModel):
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("complaint")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint transition")
        verbose_name_plural = _("complaint transitions")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["organization", "complaint", "occurred_at"], name="complaint_timeline_idx")]

    def __str__(self):
        return f"{self.from_status} -> {self.to_status}"


class ChecklistItem(HotelScopedModel):
    """One of the six steps, or a category-specific guidance item, ticked as it is done."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("complaint")
    )
    code = models.CharField(_("item"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    is_step = models.BooleanField(default=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "complaint", "code"], name="complaint_checklist_unique_code"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def label(self):
        from complaints.workflow import checklist_label

        return checklist_label(self.code)


def attachment_path(instance, filename):
    # Random name: the stored path reveals nothing and cannot be guessed.
    import uuid

    return f"complaints/{instance.organization_id}/{uuid.uuid4().hex}"


class Attachment(HotelScopedModel):
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("complaint")
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "complaint"], name="complaint_attachment_idx")]

    def __str__(self):
        return self.original_name


class CompensationKind(models.TextChoices):
    AMOUNT = "amount", _("Amount")
    GIFT = "gift", _("Gift")


class CompensationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Compensation(HotelScopedModel):
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="compensations", verbose_name=_("complaint")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CompensationKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    gift = models.CharField(_("gift"), max_length=200, blank=True)
    value = models.DecimalField(
        _("value"), max_digits=10, decimal_places=2, default=0, help_text=_("The amount, or what the gift is worth.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CompensationStatus.choices, default=CompensationStatus.PROPOSED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approver"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "complaint"], name="complaint_compensation_idx")]

    def __str__(self):
        return self.gift or f"{self.amount} {self.currency}"


class Escalation(HotelScopedModel):
    """One row per (complaint, threshold): written with its notifications, so each is sent once."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("complaint")
    )
    threshold = models.CharField(_("threshold"), max_length=12, choices=Threshold.choices)
    fired_at = models.DateTimeField(_("escalated at"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("people notified"), default=0)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["fired_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "complaint", "threshold"], name="complaint_escalation_once"
            ),
        ]

    def __str__(self):
        return self.threshold


class FeedbackToken(HotelScopedModel):
    """A guest's link to rate the handling: only a hash is stored; it expires and works once."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="feedback_tokens", verbose_name=_("complaint")
    )
    token_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback link")
        verbose_name_plural = _("feedback links")
        constraints = [
            models.UniqueConstraint(fields=["organization", "token_hash"], name="complaint_feedback_token_unique"),
        ]
        # The public page has no organization to start from: it finds the token by hash alone.
        indexes = [models.Index(fields=["token_hash"], name="complaint_feedback_hash_idx")]

    def __str__(self):
        return str(self.expires_at)
