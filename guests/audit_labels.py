"""Labels of the audit events the guests app writes (registered in GuestsConfig.ready)."""
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "guest.view_sensitive": _("Viewed sensitive details"),
    "guest.access_requested": _("Access requested"),
    "guest.access_granted": _("Access granted"),
    "guest.access_denied": _("Access refused"),
    "guest.access_revoked": _("Access revoked"),
    "guest.create": _("Guest profile created"),
    "guest.update": _("Guest profile changed"),
    "guest.contact_add": _("Contact added"),
    "guest.preference_set": _("Preference recorded"),
    "guest.special_date_add": _("Special date added"),
    "guest.sensitive_consent": _("Consent to sensitive data recorded"),
    "guest.consent_withdraw": _("Consent withdrawn"),
    "guest.dsr_export": _("Personal data exported for the guest"),
    "guest.export": _("Guests exported"),
    "guest.erased": _("Guest erased"),
    "guest.merge": _("Profiles merged"),
    "guest.merge_undone": _("Merge undone"),
    "guest.duplicate_dismissed": _("Not a duplicate"),
    "guest.import": _("Guests imported"),
    "guest.import_upload": _("Import file uploaded"),
    "guest.import_map": _("Import columns mapped"),
    "guest.import_failed": _("Import failed"),
    "guest.retention_run": _("Retention run"),
    "stay.create": _("Stay recorded"),
    "stay.update": _("Stay changed"),
}
DOMAINS = {"guest": _("Guest profile"), "stay": _("Stay")}


def field_labels():
    """Every profile, contact and stay field by its (translated) verbose name."""
    from guests.models import GuestContact, GuestProfile, Stay

    labels = {}
    for model in (Stay, GuestContact, GuestProfile):
        for field in model._meta.get_fields():
            verbose = getattr(field, "verbose_name", None)
            if verbose:
                labels[field.name] = capfirst(verbose)
    return labels
