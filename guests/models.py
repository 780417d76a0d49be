import unicodedata

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy as _
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase

from hotelcrm.crypto import EncryptedTextField
from hotelcrm.tenancy import HotelScopedModel, TenantModel, TenantQuerySet


def fold_for_search(*parts):
    """Lower-case and strip accents in Python (the embedded server has no unaccent)."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop accents and control characters (PostgreSQL refuses NUL in text).
    return "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cc").casefold()


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not stated")


class GuestType(models.TextChoices):
    BUSINESS = "business", _("Business")
    LEISURE = "leisure", _("Leisure")
    FAMILY = "family", _("Family")
    GROUP = "group", _("Group")
    LONG_STAY = "long_stay", _("Long-stay resident")


class ValueClass(models.TextChoices):
    LOYAL = "loyal", _("Loyal long-standing guest")
    KEY_ACCOUNT = "key_account", _("Profitable key account")
    STRATEGIC_NEW = "strategic_new", _("Strategic new account")
    POTENTIAL = "potential", _("Small account with potential")


class CreditGrade(models.TextChoices):
    A = "A", _("A (safe)")
    B = "B", _("B (normal)")
    C = "C", _("C (watch)")


class GuestStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WARNED = "warned", _("Warned")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("PRC resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAU_PERMIT = "hk_macau_permit", _("Mainland travel permit for Hong Kong and Macau residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    FOREIGN_RESIDENT = "foreign_resident", _("Foreign permanent resident ID card")
    OTHER = "other", _("Other document")


class ConsentSource(models.TextChoices):
    FRONT_DESK = "front_desk", _("Given at the front desk")
    WEB_FORM = "web_form", _("Web form")
    PMS = "pms", _("From the PMS")
    IMPORT = "import", _("Imported")
    EMAIL_LINK = "email_link", _("Email link")
    PHONE = "phone", _("By phone")


class GuestProfile(TenantModel):
    """One guest, shared by every hotel of the organization.

    Contact details, the document number, the full birth date and the address are encrypted
    at rest; phone, email and document number are found through blind indexes
    (GuestContact.blind_index, document_blind_index). Of the birth date only keyed indexes of
    the month-day and of the date, and the decade, sit beside it (guests/birth_dates.py).
    """

    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    native_name = models.CharField(_("name in native script"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=30, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, help_text=_("ISO 3166 two-letter code"))
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    languages = ArrayField(
        models.CharField(max_length=10), verbose_name=_("languages spoken"), default=list, blank=True
    )
    birth_date = EncryptedTextField(_("birth date"), blank=True, default="")
    # Keyed hashes and the decade, never the date (guests/birth_dates.py); set with the date.
    birthday_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    birth_date_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    birth_decade = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    address = EncryptedTextField(_("address"), blank=True, default="")
    document_type = models.CharField(_("document type"), max_length=20, choices=DocumentType.choices, blank=True)
    document_number = EncryptedTextField(_("document number"), blank=True, default="")
    document_blind_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    company = models.CharField(_("company"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    guest_type = models.CharField(_("guest type"), max_length=20, choices=GuestType.choices, blank=True)
    value_class = models.CharField(_("value class"), max_length=20, choices=ValueClass.choices, blank=True)
    vip_level = models.PositiveSmallIntegerField(_("VIP level"), default=0, help_text=_("0 for none, up to 5"))
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("relationship owner"),
    )
    account_opened_on = models.DateField(_("account opened on"), null=True, blank=True)
    credit_grade = models.CharField(_("credit grade"), max_length=1, choices=CreditGrade.choices, blank=True)
    credit_reviewed_on = models.DateField(_("credit last reviewed on"), null=True, blank=True)
    credit_review_due_on = models.DateField(_("credit review due on"), null=True, blank=True)
    consent_email = models.BooleanField(_("email marketing consent"), default=False)
    consent_email_at = models.DateTimeField(_("email consent given at"), null=True, blank=True)
    consent_email_source = models.CharField(
        _("email consent source"), max_length=20, choices=ConsentSource.choices, blank=True
    )
    consent_sms = models.BooleanField(_("SMS marketing consent"), default=False)
    consent_sms_at = models.DateTimeField(_("SMS consent given at"), null=True, blank=True)
    consent_sms_source = models.CharField(
        _("SMS consent source"), max_length=20, choices=ConsentSource.choices, blank=True
    )
    consent_phone = models.BooleanField(_("phone marketing consent"), default=False)
    consent_phone_at = models.DateTimeField(_("phone consent given at"), null=True, blank=True)
    consent_phone_source = models.CharField(
        _("phone consent source"), max_length=20, choices=ConsentSource.choices, blank=True
    )
    # PIPL art. 29: sensitive personal information (health, ID documents) needs its own consent.
    sensitive_consent = models.BooleanField(_("separate consent to sensitive data"), default=False)
    sensitive_consent_at = models.DateTimeField(_("sensitive-data consent given at"), null=True, blank=True)
    sensitive_consent_purpose = models.CharField(_("purpose of the sensitive data"), max_length=300, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    is_confidential = models.BooleanField(
        _("confidential service"),
        default=False,
        help_text=_(
            "The guest asked for confidential service: staff deflect enquiries and the profile opens only with permission."
        ),
    )
    status = models.CharField(_("status"), max_length=20, choices=GuestStatus.choices, default=GuestStatus.ACTIVE)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    tags = ArrayField(models.CharField(max_length=40), verbose_name=_("tags"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    pms_profile_id = models.CharField(_("PMS profile id"), max_length=64, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    is_anonymised = models.BooleanField(_("anonymised"), default=False)
    search_name = models.CharField(max_length=300, editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        permissions = [("open_confidential_guestprofile", _("Can open a confidential guest profile"))]
        indexes = [
            models.Index(fields=["organization", "family_name", "given_name"], name="guest_org_name_idx"),
            GinIndex(fields=["search_name"], opclasses=["gin_trgm_ops"], name="guest_search_trgm_idx"),
            # Name starts, in byte order: a range scan that comes out sorted and stops after one page.
            models.Index(F("organization"), Collate(F("search_name"), "C"), F("id"), name="guest_org_search_c_idx"),
            models.Index(fields=["organization", "document_blind_index"], name="guest_org_document_idx"),
            models.Index(fields=["organization", "birthday_index"], name="guest_org_birthday_index_idx"),
            models.Index(fields=["organization", "birth_date_index"], name="guest_org_birth_date_idx"),
            models.Index(fields=["organization", "credit_review_due_on"], name="guest_org_credit_due_idx"),
            models.Index(fields=["organization", "pms_profile_id"], name="guest_org_pms_idx"),
            models.Index(fields=["organization", "merged_into"], name="guest_org_merged_idx"),
        ]

    @property
    def birth_month_day(self):
        """(month, day) of the decrypted birth date, or None."""
        from guests.birth_dates import parse

        date = parse(self.birth_date)
        return (date.month, date.day) if date else None

    def __str__(self):
        return self.display_name

    def audit_label(self):
        # Never the name: audit rows are append-only and hash-chained, so an erasure could not
        # remove it (hotelcrm.audit.object_label).
        return f"guest #{self.pk}"

    @property
    def display_name(self):
        latin = " ".join(p for p in (self.given_name, self.family_name) if p)
        if self.native_name and latin:
            return f"{self.native_name} ({latin})"
        return self.native_name or latin

    @property
    def is_restricted(self):
        """Opening it needs the object permission: confidential service, or a VIP held back."""
        return self.is_confidential

    def save(self, *args, **kwargs):
        self.search_name = fold_for_search(self.family_name, self.given_name, self.native_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"search_name"}
        super().save(*args, **kwargs)


class StayStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    IN_HOUSE = "in_house", _("In house")
    CHECKED_OUT = "checked_out", _("Checked out")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class Stay(HotelScopedModel):
    guest = models.ForeignKey(GuestProfile, on_delete=models.PROTECT, related_name="stays", verbose_name=_("guest"))
    pms_reservation_id = models.CharField(_("PMS reservation id"), max_length=64)
    arrival_on = models.DateField(_("arrival"))
    departure_on = models.DateField(_("departure"))
    room_number = models.CharField(_("room"), max_length=16, blank=True)
    room_type = models.CharField(_("room type"), max_length=40, blank=True)
    rate_code = models.CharField(_("rate code"), max_length=40, blank=True)
    channel = models.CharField(_("booking channel"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=StayStatus.choices, default=StayStatus.BOOKED)
    room_revenue = models.DecimalField(_("room revenue"), max_digits=12, decimal_places=2, default=0)
    fb_revenue = models.DecimalField(_("F&B revenue"), max_digits=12, decimal_places=2, default=0)
    other_revenue = models.DecimalField(_("other revenue"), max_digits=12, decimal_places=2, default=0)
    # Booking facts the PMS sends; None/"" when it did not.
    adults = models.PositiveSmallIntegerField(_("adults"), null=True, blank=True)
    children = models.PositiveSmallIntegerField(_("children"), null=True, blank=True)
    market_segment = models.CharField(_("market segment"), max_length=40, blank=True)
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    # Days from booking (the hotel's local date) to arrival, kept with booked_at so reports can
    # group by it in SQL; None without a booking time.
    lead_days = models.IntegerField(_("lead time (days)"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "pms_reservation_id"], name="stay_reservation_unique_per_hotel"
            ),
            models.CheckConstraint(
                condition=models.Q(departure_on__gte=models.F("arrival_on")), name="stay_departure_after_arrival"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "hotel", "arrival_on"], name="stay_org_hotel_arrival_idx"),
            models.Index(fields=["organization", "guest", "arrival_on"], name="stay_org_guest_idx"),
            models.Index(fields=["organization", "hotel", "room_number", "status"], name="stay_org_hotel_room_idx"),
            # Care's post-stay thank-you: a hotel's checkouts of one day.
            models.Index(fields=["organization", "hotel", "departure_on"], name="stay_org_hotel_departure_idx"),
        ]

    def __str__(self):
        return f"{self.pms_reservation_id} ({self.arrival_on} – {self.departure_on})"

    @property
    def nights(self):
        return (self.departure_on - self.arrival_on).days

    @property
    def total_revenue(self):
        return self.room_revenue + self.fb_revenue + self.other_revenue


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class GuestContact(TenantModel):
    """A phone number or email address of a guest, encrypted, found by its blind index."""

    guest = models.ForeignKey(GuestProfile, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("guest"))
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = EncryptedTextField(_("value"))
    blind_index = models.CharField(max_length=64, editable=False)
    label = models.CharField(_("label"), max_length=40, blank=True, help_text=_("e.g. mobile, office, assistant"))
    is_primary = models.BooleanField(_("primary"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "guest", "kind", "blind_index"], name="contact_unique_per_guest"
            ),
        ]
        indexes = [models.Index(fields=["organization", "kind", "blind_index"], name="contact_org_lookup_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} of guest {self.guest_id}"


class SpecialDateKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    ANNIVERSARY = "anniversary", _("Wedding anniversary")
    OTHER = "other", _("Other occasion")


class CalendarKind(models.TextChoices):
    GREGORIAN = "gregorian", _("Gregorian calendar")
    LUNAR = "lunar", _("Chinese lunar calendar")


class SpecialDate(TenantModel):
    """A date a guest celebrates every year, on the Gregorian or the Chinese lunar calendar."""

    guest = models.ForeignKey(
        GuestProfile, on_delete=models.CASCADE, related_name="special_dates", verbose_name=_("guest")
    )
    kind = models.CharField(_("occasion"), max_length=20, choices=SpecialDateKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    calendar = models.CharField(
        _("calendar"), max_length=10, choices=CalendarKind.choices, default=CalendarKind.GREGORIAN
    )
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    is_leap_month = models.BooleanField(
        _("leap month"), default=False, help_text=_("Lunar calendar only: the date is in the leap month (闰月).")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Year of the original event, if known.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("special date")
        verbose_name_plural = _("special dates")
        indexes = [
            models.Index(fields=["organization", "calendar", "month", "day"], name="specialdate_org_md_idx"),
            models.Index(fields=["organization", "guest"], name="specialdate_org_guest_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.month}-{self.day}"


class PreferenceValueType(models.TextChoices):
    CHOICE = "choice", _("Choice")
    TEXT = "text", _("Text")
    YES_NO = "yes_no", _("Yes / no")


class PreferenceType(TenantModel):
    """An entry of the organization's preference catalog (pillow type, allergies, newspaper...)."""

    code = models.SlugField(_("code"), max_length=60)
    category = models.CharField(_("category"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name in Chinese"), max_length=120, blank=True)
    value_type = models.CharField(_("value type"), max_length=10, choices=PreferenceValueType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Health-related: encrypted, shown only in the audited sensitive section."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("preference type")
        verbose_name_plural = _("preference types")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="preferencetype_code_unique_per_org")
        ]

    def __str__(self):
        return self.name


class GuestPreference(TenantModel):
    """One guest's value for one preference type; sensitive values are encrypted."""

    guest = models.ForeignKey(
        GuestProfile, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("guest")
    )
    preference_type = models.ForeignKey(
        PreferenceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("preference")
    )
    value = models.TextField(_("value"), blank=True)
    sensitive_value = EncryptedTextField(_("sensitive value"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("guest preference")
        verbose_name_plural = _("guest preferences")
        constraints = [
            models.UniqueConstraint(fields=["organization", "guest", "preference_type"], name="guestpreference_unique"),
        ]

    def __str__(self):
        return f"{self.preference_type_id} of guest {self.guest_id}"


class GuestPermissionManager(UserObjectPermissionManager.from_queryset(TenantQuerySet)):
    def all_tenants_unscoped(self):
        return super().get_queryset()


class GuestProfileUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct-foreign-key permission table for guest profiles (fast joins, no generic key)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.PROTECT, related_name="+")
    content_object = models.ForeignKey(GuestProfile, on_delete=models.CASCADE)

    objects = GuestPermissionManager()

    class Meta:
        # Guardian's own unique_together leaves out the tenant; ours includes it (Citus).
        unique_together = []
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "permission", "content_object"], name="guest_userobjperm_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "content_object"], name="guest_userobjperm_org_idx")]


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a manager")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class AccessRequest(HotelScopedModel):
    """A staff member's request to open a confidential profile, decided by a manager."""

    guest = models.ForeignKey(GuestProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("guest"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=20, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    expires_at = models.DateTimeField(_("access expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        indexes = [
            models.Index(fields=["organization", "hotel", "status"], name="accessreq_org_status_idx"),
            models.Index(fields=["organization", "status", "expires_at"], name="accessreq_org_expiry_idx"),
        ]


class MergeRecord(TenantModel):
    """One merge of a duplicate into a surviving profile, with what is needed to undo it."""

    survivor = models.ForeignKey(
        GuestProfile, on_delete=models.PROTECT, related_name="+", verbose_name=_("kept profile")
    )
    merged = models.ForeignKey(
        GuestProfile, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged profile")
    )
    field_choices = models.JSONField(_("fields taken from the merged profile"), default=dict)
    snapshot = models.JSONField(_("survivor before the merge"), default=dict)
    moved = models.JSONField(_("rows moved"), default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [models.Index(fields=["organization", "merged"], name="merge_org_merged_idx")]


class DuplicateDecision(TenantModel):
    """A pair a person marked as not duplicates, so the review queue stops offering it."""

    guest_a = models.ForeignKey(GuestProfile, on_delete=models.CASCADE, related_name="+")
    guest_b = models.ForeignKey(GuestProfile, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "guest_a", "guest_b"], name="duplicate_decision_unique")
        ]


class DuplicatePair(TenantModel):
    """A scored likely-duplicate pair, kept up to date so the review queue is one ordered index read.

    Filled incrementally when a guest's name, birth date, document or contacts change
    (guests.duplicates) and rebuilt nightly. Plain ids, not foreign keys: a merge moves every row
    pointing at a guest, and these rows only describe guests, they belong to neither.
    """

    first_guest_id = models.BigIntegerField()
    second_guest_id = models.BigIntegerField()
    score = models.PositiveSmallIntegerField()
    reasons = ArrayField(models.CharField(max_length=20), default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "first_guest_id", "second_guest_id"], name="duplicate_pair_unique"
            )
        ]
        indexes = [
            models.Index(
                F("organization"),
                F("score").desc(),
                F("first_guest_id"),
                F("second_guest_id"),
                name="duplicate_pair_queue_idx",
            ),
            models.Index(fields=["organization", "second_guest_id"], name="duplicate_pair_second_idx"),
        ]


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, waiting for the column mapping")
    VALIDATING = "validating", _("Checking rows")
    INVALID = "invalid", _("Rows with errors")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class GuestImport(HotelScopedModel):
    """A CSV/XLSX import of guest profiles: mapping, validation report, progress."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    columns = models.JSONField(_("columns in the file"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)
    skip_bad_rows = models.BooleanField(_("skip rows with errors"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    imported_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    # Worker progress: rows checked (first phase), valid rows handled and duplicates left out
    # (second phase, committed with each chunk, so a resumed import starts where the last chunk ended).
    validated_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    good_rows_done = models.PositiveIntegerField(_("valid rows handled"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("duplicates left out"), default=0)
    # Last sign of life of the worker holding it; a stale one is resumed or failed (recover_stale_imports).
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("resumptions"), default=0)
    errors = models.JSONField(_("errors by row"), default=list)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("guest import")
        verbose_name_plural = _("guest imports")
