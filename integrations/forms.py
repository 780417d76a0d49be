from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.models import Scope


class IntegrationKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Key name"), max_length=100, help_text=_("What the key is for, e.g. the PMS's name.")
    )
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for a key that does not expire."),
    )
    rate_per_minute = forms.IntegerField(label=_("Requests per minute"), min_value=1, max_value=100_000, initial=600)
    is_strict = forms.BooleanField(
        label=_("Refuse unknown fields"),
        required=False,
        help_text=_(
            "Refuse input with fields the API does not know, instead of ignoring them "
            "and naming them in the answer's ignored_fields."
        ),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        return name

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return expires_at
