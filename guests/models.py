import unicodedata

from django.db import models
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _

from hotelcrm.tenancy import HotelScopedModel, TenantModel


def fold_for_search(*parts):
    """Lower-case and strip accents in Python (the embedded server has no unaccent)."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop accents and control characters (PostgreSQL refuses NUL in text).
    return "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cc"
    ).casefold()


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not stated")


class GuestProfile(TenantModel):
    """One guest, shared by every hotel of the organization. The guest-profile issue extends it."""

    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    native_name = models.CharField(_("name in native script"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, help_text=_("ISO 3166 two-letter code"))
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    search_name = models.CharField(max_length=300, editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        indexes = [
            models.Index(fields=["organization", "family_name", "given_name"], name="guest_org_name_idx"),
            GinIndex(fields=["search_name"], opclasses=["gin_trgm_ops"], name="guest_search_trgm_idx"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        latin = " ".join(p for p in (self.given_name, self.family_name) if p)
        if self.native_name and latin:
            return f"{self.native_name} ({latin})"
        return self.native_name or latin

    def save(self, *args, **kwargs):
        self.search_name = fold_for_search(self.family_name, self.given_name, self.native_name)
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
    status = models.CharField(_("status"), max_length=16, choices=StayStatus.choices, default=StayStatus.BOOKED)
    room_revenue = models.DecimalField(_("room revenue"), max_digits=12, decimal_places=2, default=0)
    fb_revenue = models.DecimalField(_("F&B revenue"), max_digits=12, decimal_places=2, default=0)
    other_revenue = models.DecimalField(_("other revenue"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hotel", "pms_reservation_id"], name="stay_reservation_unique_per_hotel"
            ),
            models.CheckConstraint(condition=models.Q(departure_on__gte=models.F("arrival_on")), name="stay_departure_after_arrival"),
        ]
        indexes = [
            models.Index(fields=["organization", "hotel", "arrival_on"], name="stay_org_hotel_arrival_idx"),
            models.Index(fields=["organization", "guest", "arrival_on"], name="stay_org_guest_idx"),
        ]

    def __str__(self):
        return f"{self.pms_reservation_id} ({self.arrival_on} – {self.departure_on})"

    @property
    def nights(self):
        return (self.departure_on - self.arrival_on).days

    @property
    def total_revenue(self):
        return self.room_revenue + self.fb_revenue + self.other_revenue
