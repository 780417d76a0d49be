import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotelcrm.crypto import EncryptedTextField
from hotelcrm.tenancy import TenantManager, TenantModel

CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 currency code, such as CNY."))


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone (use a name such as Asia/Shanghai)."), params={"value": value}
        )


class Organization(models.Model):
    """The tenant: a hotel group or an independent hotel."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[CURRENCY_VALIDATOR])
    guest_retention_years = models.PositiveSmallIntegerField(
        _("guest data retention (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Anonymise a guest's personal data after this many years without a stay. Empty: keep."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Hotel(TenantModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="hotels", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=20, help_text=_("Short code, unique within the organization."))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY", validators=[CURRENCY_VALIDATOR])
    address = models.TextField(_("address"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("hotel")
        verbose_name_plural = _("hotels")
        ordering = ["organization_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="hotel_code_unique_per_org"),
        ]

    def __str__(self):
        return self.name

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("Front desk")
    GUEST_RELATIONS = "guest_relations", _("Guest relations")
    MANAGER = "manager", _("Manager")
    GROUP_ADMIN = "group_admin", _("Group admin")


# Higher rank can do what lower ranks can; used to pick a user's role at a hotel.
ROLE_RANK = {Role.FRONT_DESK: 1, Role.GUEST_RELATIONS: 2, Role.MANAGER: 3, Role.GROUP_ADMIN: 4}


class Membership(TenantModel):
    """A staff member's role at one hotel. A group admin's membership opens every hotel of the group."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("hotel"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user", "hotel"], name="membership_unique_per_hotel"),
        ]
        indexes = [models.Index(fields=["user", "organization"], name="membership_user_org_idx")]

    def __str__(self):
        return f"{self.user} @ {self.hotel}: {self.get_role_display()}"

    def clean(self):
        if self.hotel_id and self.organization_id and self.hotel.organization_id != self.organization_id:
            raise ValidationError({"hotel": _("The hotel belongs to another organization.")})


class AuditEvent(models.Model):
    """Append-only record of who did what. The database refuses UPDATE and DELETE (migration 0002)."""

    # Set on insert (in _do_insert, under the chain lock), so it is part of the hashed content.
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, editable=False, db_index=True)
    # Nullable only for events with no tenant yet, such as a failed login for an unknown user.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organization")
    )
    hotel = models.ForeignKey(
        Hotel, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hotel")
    )
    # PROTECT: a user with audit history is deactivated, never deleted, so the trail stays whole.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(
        _("actor label"), max_length=200, blank=True, help_text=_("API key or job name when no user acted.")
    )
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    # The tamper-evident chain (hotelcrm.audit_chain): the previous event's hash and this one's.
    # db_default "": a row inserted by raw SQL (bypassing audit_record) is stored, and shows up
    # in verify_audit as a broken link, instead of failing on NOT NULL.
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False, db_default="")
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False, db_default="")

    objects = TenantManager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "occurred_at"], name="audit_org_time_idx"),
            models.Index(fields=["organization", "object_type", "object_id"], name="audit_org_object_idx"),
            models.Index(fields=["organization", "id"], name="audit_org_chain_idx"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        # The chain lock taken in _do_insert lasts until the end of the transaction: outside a
        # service's transaction (a login signal) this atomic block is that transaction.
        with transaction.atomic():
            super().save(*args, **kwargs)

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        # Here every pre_save receiver has run (integrations labels API-key events), so the
        # hash covers exactly what is stored.
        from hotelcrm import audit_chain

        audit_chain.chain_lock(self.organization_id)
        self.occurred_at = timezone.now()
        self.prev_hash = audit_chain.chain_head(self.organization_id)
        self.hash = audit_chain.chain_hash(self.prev_hash, audit_chain.event_content(self))
        return super()._do_insert(manager, using, fields, returning_fields, raw)


class TwoFactorDevice(models.Model):
    """A staff member's TOTP authenticator (hotelcrm.twofactor). Not tenant data: it belongs to the person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_device", verbose_name=_("user")
    )
    secret = EncryptedTextField(_("secret"))
    confirmed_at = models.DateTimeField(_("confirmed at"))
    # The 30-second step of the last accepted code: a code is never accepted twice.
    last_used_step = models.BigIntegerField(_("last used step"), default=0)

    class Meta:
        verbose_name = _("two-factor device")
        verbose_name_plural = _("two-factor devices")

    def __str__(self):
        return f"{self.user}"


class RecoveryCode(models.Model):
    """A one-time code for a lost phone; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("user")
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_per_user")]

    def __str__(self):
        return f"{self.user}"
