from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotelcrm.tenancy import TenantModel


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not emailed")


class Notification(TenantModel):
    """One message to one staff member, shown in the app and (usually) emailed once.

    `title`/`body` hold the English source text with %(name)s placeholders and `params` the
    values, so each reader sees them in the language they chose (see `rendered_title`).
    """

    hotel = models.ForeignKey(
        "core.Hotel", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hotel")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    params = models.JSONField(_("values"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(_("email"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_error = models.CharField(_("email error"), max_length=300, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # "Sent once per threshold": the database refuses a second row for the same event.
            models.UniqueConstraint(
                fields=["organization", "recipient", "dedupe_key"], name="notification_once_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["organization", "recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self):
        return self.rendered_title

    def _render(self, text):
        translated = gettext(text) if text else ""
        try:
            return translated % self.params if self.params else translated
        except (KeyError, TypeError, ValueError):
            return translated

    @property
    def rendered_title(self):
        return self._render(self.title)

    @property
    def rendered_body(self):
        return self._render(self.body)
