from django import forms
from django.utils.translation import gettext_lazy as _

from care.models import (
    CallOutcome,
    Campaign,
    CareSettings,
    Channel,
    DeliveryStatus,
    Holiday,
)


class SurveyForm(forms.Form):
    csat = forms.TypedChoiceField(
        label=_("How satisfied were you with your stay?"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 1 to 5."),
            "invalid_choice": _("Choose a score from 1 to 5."),
        },
    )
    nps = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend?"),
        coerce=int,
        choices=[(i, str(i)) for i in range(0, 11)],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 0 to 10."),
            "invalid_choice": _("Choose a score from 0 to 10."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "kind",
            "channel",
            "holiday",
            "segment",
            "days_offset",
            "min_stays",
            "cadence_days",
            "scheduled_on",
            "allows_confidential",
            "is_active",
        ]
        widgets = {"scheduled_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come through the tenant door: another organization's holiday is not offered.
        self.fields["holiday"].queryset = Holiday.objects.for_org(organization).order_by("name")
        from care.models import Segment

        self.fields["segment"].queryset = Segment.objects.for_org(organization).order_by("name")

    def _post_clean(self):
        # Model validation runs in the service (which knows the hotel); only field cleaning here.
        pass


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)


class HolidayForm(forms.ModelForm):
    nationalities = forms.CharField(
        label=_("For nationalities"),
        required=False,
        help_text=_("Comma-separated ISO codes such as CN, HK; empty for everyone."),
    )
    languages = forms.CharField(
        label=_("For languages"),
        required=False,
        help_text=_("Comma-separated codes such as zh, en; empty for everyone."),
    )

    class Meta:
        model = Holiday
        fields = ["name", "name_zh", "calendar", "month", "day", "on_date", "is_active"]
        widgets = {"on_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["nationalities"] = ", ".join(self.instance.nationalities)
            self.initial["languages"] = ", ".join(self.instance.languages)

    def _codes(self, name, length, upper):
        codes = [c.strip() for c in self.cleaned_data.get(name, "").split(",") if c.strip()]
        for code in codes:
            if not code.isalpha() or len(code) > length:
                raise forms.ValidationError(
                    _("“%(code)s” is not a code: use letters only, such as CN or zh."), params={"code": code}
                )
        return [c.upper() if upper else c.lower() for c in codes]

    def clean_nationalities(self):
        return self._codes("nationalities", 2, True)

    def clean_languages(self):
        return self._codes("languages", 10, False)

    def _post_clean(self):
        pass


class ImportHolidaysForm(forms.Form):
    country = forms.RegexField(
        label=_("Country"),
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        error_messages={"invalid": _("Use a two-letter country code such as CN.")},
    )
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2099)


class CareSettingsForm(forms.ModelForm):
    class Meta:
        model = CareSettings
        fields = ["send_time", "quiet_start", "quiet_end", "frequency_cap_days", "catch_up_days"]
        widgets = {
            name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            for name in ("send_time", "quiet_start", "quiet_end")
        }

    def _post_clean(self):
        pass


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices)
    report = forms.CharField(
        label=_("Short report"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Write a short report of the call or visit.")},
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any"))] + DeliveryStatus.choices)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any"))] + Channel.choices)
    day = forms.DateField(label=_("Occasion"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
