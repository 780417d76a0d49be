"""Labels of the audit events the guests app writes (registered in GuestsConfig.ready)."""

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


class _CatalogName:
    """A catalog preference's name in the reader's language (the catalog holds both)."""

    def __init__(self, entry):
        self.entry = entry

    def __str__(self):
        from django.utils.translation import get_language

        return self.entry.name_zh if (get_language() or "").startswith("zh") else self.entry.name


def field_labels():
    """Profile, contact, stay and date fields; contact kinds and catalog preferences (their codes are the fields)."""
    from django.apps import apps

    from guests.catalog import CATALOG
    from guests.models import ContactKind, DocumentType, SpecialDateKind
    from hotelcrm.labels import model_field_labels

    labels = model_field_labels(*apps.get_app_config("guests").get_models())
    for choices in (ContactKind, SpecialDateKind, DocumentType):
        labels.update({value: label for value, label in choices.choices})
    labels.update({entry.code: _CatalogName(entry) for entry in CATALOG})
    return labels
