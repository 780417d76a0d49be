"""Forms of the guest profile pages. They check shape; the services own the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from guests.catalog import category_label, choice_label, preference_type_label
from guests.models import (
    CalendarKind,
    ContactKind,
    DocumentType,
    GuestProfile,
    SpecialDateKind,
)
from guests.validators import normalise_nationality
from hotelcrm.labels import country_choices, language_choices

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PROFILE_FIELDS = [
    "title",
    "family_name",
    "given_name",
    "native_name",
    "gender",
    "nationality",
    "preferred_language",
    "languages",
    "company",
    "position",
    "occupation",
    "guest_type",
    "value_class",
    "vip_level",
    "relationship_owner",
    "credit_grade",
    "credit_reviewed_on",
    "consent_email",
    "consent_email_source",
    "consent_sms",
    "consent_sms_source",
    "consent_phone",
    "consent_phone_source",
    "do_not_contact",
    "is_confidential",
    "status",
    "status_reason",
    "tags",
    "notes",
]
CREATE_FIELDS = [
    "title",
    "family_name",
    "given_name",
    "native_name",
    "gender",
    "nationality",
    "preferred_language",
    "company",
    "position",
    "guest_type",
    "notes",
]


class CapitalisedLabels:
    """Labels reuse the models' lower-case verbose names (already translated); show them capitalised."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


def person_name(user):
    """How a staff member appears in a drop-down: their name, the username only when there is none."""
    return user.get_full_name() or user.get_username()


class CountryField(forms.ChoiceField):
    """A select of countries that also takes a typed code in any case (cn is CN)."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class LanguageField(forms.ChoiceField):
    def to_python(self, value):
        return super().to_python(value).strip().lower()


def _with_blank(choices):
    return lambda: [("", "—"), *choices()]


class GuestProfileForm(CapitalisedLabels, forms.ModelForm):
    """The plain fields of a profile; encrypted ones (contacts, birth date, document) have their own forms."""

    # Sections of the edit page (legend, fields); fields not named here go in the last one.
    GROUPS = (
        (_("Name"), ("title", "family_name", "given_name", "native_name", "gender")),
        (_("Nationality and languages"), ("nationality", "preferred_language", "languages")),
        (_("Work"), ("company", "position", "occupation", "guest_type")),
        (
            _("Relationship"),
            ("value_class", "vip_level", "relationship_owner", "tags", "is_confidential", "do_not_contact"),
        ),
        (_("Status and credit"), ("status", "status_reason", "credit_grade", "credit_reviewed_on")),
        (
            _("Marketing consent"),
            (
                "consent_email",
                "consent_email_source",
                "consent_sms",
                "consent_sms_source",
                "consent_phone",
                "consent_phone_source",
            ),
        ),
        (_("Notes"), ("notes",)),
    )

    # Codes from maintained lists (django-countries, Django's languages), shown in the reader's language;
    # guests.services checks them again, so the API and imports obey the same rule.
    nationality = CountryField(label=_("nationality"), required=False, choices=_with_blank(country_choices))
    preferred_language = LanguageField(
        label=_("preferred language"), required=False, choices=_with_blank(language_choices)
    )
    languages = forms.MultipleChoiceField(
        label=_("languages spoken"),
        required=False,
        choices=language_choices,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )

    vip_level = forms.IntegerField(
        label=_("VIP level"), min_value=0, max_value=5, initial=0, help_text=_("0 for none, up to 5")
    )
    notes = forms.CharField(label=_("notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    class Meta:
        model = GuestProfile
        fields = PROFILE_FIELDS
        widgets = {"credit_reviewed_on": DATE_INPUT}
        help_texts = {
            "tags": _("Separated by commas"),
        }

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        if "relationship_owner" in self.fields:
            self.fields["relationship_owner"].queryset = staff
            self.fields["relationship_owner"].label_from_instance = person_name

    def groups(self):
        """(legend, bound fields) per section, for the two-column edit page."""
        placed = set()
        sections = []
        for legend, names in self.GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            placed.update(names)
            if fields:
                sections.append((legend, fields))
        rest = [self[name] for name in self.fields if name not in placed]
        if rest:
            sections.append((_("Other"), rest))
        return sections

    def clean_nationality(self):
        return normalise_nationality(self.cleaned_data.get("nationality", ""))

    def clean_credit_reviewed_on(self):
        value = self.cleaned_data.get("credit_reviewed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("A review date cannot be in the future."), code="future")
        return value

    def clean(self):
        cleaned = super().clean()
        for channel in ("email", "sms", "phone"):
            if cleaned.get(f"consent_{channel}") and not cleaned.get(f"consent_{channel}_source"):
                self.add_error(f"consent_{channel}_source", _("Say where this consent was given."))
        if cleaned.get("status") in ("warned", "blacklisted") and not (cleaned.get("status_reason") or "").strip():
            self.add_error("status_reason", _("Give the reason for this status."))
        return cleaned

    def changed_data_values(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}


class GuestCreateForm(GuestProfileForm):
    class Meta(GuestProfileForm.Meta):
        fields = CREATE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, staff=None, **kwargs)
        # vip_level is declared on the parent form; a new guest starts without one.
        self.fields.pop("vip_level")

    def clean(self):
        return forms.ModelForm.clean(self)


class ContactForm(CapitalisedLabels, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ContactKind.choices)
    value = forms.CharField(label=_("phone number or email address"), max_length=254)
    label = forms.CharField(
        label=_("label"), max_length=40, required=False, help_text=_("e.g. mobile, office, assistant")
    )
    is_primary = forms.BooleanField(label=_("primary"), required=False)


class BirthDateForm(CapitalisedLabels, forms.Form):
    birth_date = forms.DateField(label=_("birth date"), widget=DATE_INPUT)


class PreferenceForm(CapitalisedLabels, forms.Form):
    preference_type = forms.ModelChoiceField(label=_("preference"), queryset=None)
    value = forms.CharField(
        label=_("value"),
        max_length=2000,
        required=False,
        help_text=_(
            "For a yes/no preference write yes or no (是 or 否); for a choice, one of the listed choices, "
            "in English or Chinese."
        ),
    )

    def __init__(self, *args, preference_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preference_type"].queryset = preference_types
        self.fields["preference_type"].label_from_instance = self._label

    @staticmethod
    def _label(preference_type):
        label = f"{category_label(preference_type.category)} · {preference_type_label(preference_type)}"
        if preference_type.choices:
            label += " — " + " / ".join(str(choice_label(choice)) for choice in preference_type.choices)
        if preference_type.is_sensitive:
            label += " 🔒"
        return label


class SpecialDateForm(CapitalisedLabels, forms.Form):
    kind = forms.ChoiceField(label=_("occasion"), choices=SpecialDateKind.choices)
    calendar = forms.ChoiceField(label=_("calendar"), choices=CalendarKind.choices, initial=CalendarKind.GREGORIAN)
    month = forms.IntegerField(label=_("month"), min_value=1, max_value=12)
    day = forms.IntegerField(label=_("day"), min_value=1, max_value=31)
    is_leap_month = forms.BooleanField(
        label=_("leap month"), required=False, help_text=_("Lunar calendar only: the date is in the leap month (闰月).")
    )
    year = forms.IntegerField(
        label=_("year"), required=False, min_value=1900, help_text=_("Year of the original event, if known.")
    )
    label = forms.CharField(label=_("label"), max_length=100, required=False)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year cannot be in the future."), code="future")
        return year

    def clean(self):
        cleaned = super().clean()
        calendar, month, day = cleaned.get("calendar"), cleaned.get("month"), cleaned.get("day")
        if month is None or day is None or calendar is None:
            return cleaned
        if calendar == CalendarKind.LUNAR:
            if day > 30:
                self.add_error("day", _("A lunar month has at most 30 days."))
        else:
            if cleaned.get("is_leap_month"):
                self.add_error("is_leap_month", _("Only a lunar date can be in a leap month."))
            try:
                # 2000 was a leap year, so 29 February is accepted as a yearly date.
                datetime.date(cleaned.get("year") or 2000, month, day)
            except ValueError:
                self.add_error("day", _("This day does not exist in that month."))
        return cleaned


class SensitiveConsentForm(CapitalisedLabels, forms.Form):
    purpose = forms.CharField(
        label=_("purpose"),
        max_length=300,
        help_text=_("What the sensitive data is collected for, as told to the guest."),
    )
    confirmed = forms.BooleanField(
        label=_("The guest gave separate consent to the processing of sensitive personal information.")
    )


class DocumentForm(CapitalisedLabels, forms.Form):
    document_type = forms.ChoiceField(label=_("document type"), choices=DocumentType.choices)
    number = forms.CharField(label=_("document number"), max_length=60)
