"""PMS integrations: per-hotel API keys, the PMS id mappings, stay-event receipts and idempotency records."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotelcrm.api.scopes import Scope  # noqa: F401 (the keys' vocabulary lives in the core API base)
from hotelcrm.tenancy import HotelScopedModel


class IntegrationKey(HotelScopedModel):
    """An API key of one hotel's PMS. Only a SHA-256 of the secret is kept; the key is shown once.

    A key reads `hcrm_<prefix>_<secret>`: the prefix finds the row, the hash of the whole key
    is compared in constant time. The secret carries 256 random bits, so a plain SHA-256 (no
    slow hash) is as safe as it is fast on every request.
    """

    is_api_key = True  # what the API base (hotelcrm.api.base.api_key_of) recognises a key by

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = ArrayField(models.CharField(max_length=30, choices=Scope.choices), verbose_name=_("scopes"), default=list)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    # Strict keys have input with unknown fields refused (a field error per name); the others have
    # them ignored and named back in the answer's `ignored_fields`.
    is_strict = models.BooleanField(_("refuse unknown fields"), default=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    class Meta:
        verbose_name = _("integration key")
        verbose_name_plural = _("integration keys")
        constraints = [models.UniqueConstraint(fields=["organization", "prefix"], name="integrationkey_prefix_unique")]
        indexes = [
            # Authentication looks a key up by its prefix before it knows the tenant.
            models.Index(fields=["prefix"], name="integrationkey_prefix_idx"),
            models.Index(fields=["organization", "hotel", "created_at"], name="integrationkey_org_hotel_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def label(self):
        """How the audit trail names calls made with this key."""
        return f"api-key:{self.prefix} {self.name}"

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class GuestLink(HotelScopedModel):
    """The PMS profile id a hotel's PMS uses for one of our guests."""

    pms_profile_id = models.CharField(_("PMS profile id"), max_length=64)
    guest = models.ForeignKey(
        "guests.GuestProfile", on_delete=models.CASCADE, related_name="+", verbose_name=_("guest")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("PMS profile link")
        verbose_name_plural = _("PMS profile links")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "pms_profile_id"], name="guestlink_unique_per_hotel"
            ),
        ]
        indexes = [models.Index(fields=["organization", "guest"], name="guestlink_org_guest_idx")]

    def __str__(self):
        return self.pms_profile_id


class StayEventReceipt(HotelScopedModel):
    """The newest event applied to one PMS reservation: later arrivals of older events are ignored."""

    pms_reservation_id = models.CharField(_("PMS reservation id"), max_length=64)
    stay = models.ForeignKey("guests.Stay", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    last_version = models.BigIntegerField(_("last version"), default=0)
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    last_event = models.CharField(_("last event"), max_length=20, blank=True)
    # The newest event that set the status (every kind but `modified`), ordered on its own: a
    # `modified` that overtakes an older checkout keeps its dates, and the checkout still sets
    # the status when it arrives, so any arrival order ends in the same stay.
    status_version = models.BigIntegerField(_("status version"), null=True, blank=True)
    status_event_at = models.DateTimeField(_("status event at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stay event receipt")
        verbose_name_plural = _("stay event receipts")
        constraints = [
            models.UniqueConstraint(fields=["organization", "hotel", "pms_reservation_id"], name="stayreceipt_unique"),
        ]

    def __str__(self):
        return f"{self.pms_reservation_id} v{self.last_version}"


class IdempotencyRecord(HotelScopedModel):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed on retries for 24 hours."""

    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["organization", "hotel", "key"], name="idempotency_key_unique")]
        indexes = [
            models.Index(fields=["organization", "created_at"], name="idempotency_org_created_idx"),
            models.Index(fields=["created_at"], name="idempotency_created_idx"),
        ]

    def __str__(self):
        return self.key
