import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reports.models import BookingDimension, ComplaintDimension, Frequency, StayDimension
from reports.selectors import MAX_PERIOD_DAYS, RFM_SEGMENTS

PRESETS = {"30d": 30, "90d": 90, "365d": 365}


class PeriodForm(forms.Form):
    """The period of a report: a preset (last 30/90/365 days up to yesterday) or explicit dates."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("", _("Custom")),
            ("30d", _("Last 30 days")),
            ("90d", _("Last 90 days")),
            ("365d", _("Last 12 months")),
        ],
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.BooleanField(label=_("Whole group"), required=False)

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end, preset = data.get("start"), data.get("end"), data.get("period")
        if self.errors:
            return data
        if start is None and end is None:
            days = PRESETS.get(preset or "30d")
            end = self.today - datetime.timedelta(days=1)
            start = end - datetime.timedelta(days=days - 1)
        elif start is None or end is None:
            raise ValidationError(_("Give both dates of the period, or neither."))
        if end < start:
            raise ValidationError(_("The period ends before it starts."))
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise ValidationError(_("A period can be at most %(days)d days long.") % {"days": MAX_PERIOD_DAYS})
        data["start"], data["end"] = start, end
        return data


class StayDrillForm(PeriodForm):
    dimension = forms.ChoiceField(choices=StayDimension.choices, required=False)
    value = forms.CharField(max_length=40, required=False)
    new = forms.BooleanField(required=False)


class BookingDrillForm(PeriodForm):
    dimension = forms.ChoiceField(
        choices=[*BookingDimension.choices, ("cancelled", _("Cancelled")), ("no_show", _("No-shows"))], required=False
    )
    value = forms.CharField(max_length=40, required=False)


class ComplaintDrillForm(PeriodForm):
    dimension = forms.ChoiceField(choices=ComplaintDimension.choices, required=False)
    value = forms.CharField(max_length=100, required=False)
    handled_by = forms.IntegerField(min_value=1, required=False)


class RewardDrillForm(PeriodForm):
    reward = forms.IntegerField(min_value=1, required=False)


class LedgerDrillForm(PeriodForm):
    kind = forms.ChoiceField(
        label=_("Points"),
        choices=[("earn", _("Points issued")), ("redeem", _("Points redeemed")), ("expire", _("Points expired"))],
    )


class CallDrillForm(PeriodForm):
    show = forms.ChoiceField(
        choices=[("", _("All due")), ("on_time", _("Done on time")), ("late", _("Late or not done"))], required=False
    )


class OwnerForm(forms.Form):
    owner = forms.IntegerField(min_value=1)
    group = forms.BooleanField(required=False)


class SurveyDrillForm(PeriodForm):
    csat = forms.IntegerField(min_value=1, max_value=5, required=False)
    nps = forms.IntegerField(min_value=0, max_value=10, required=False)
    comments = forms.BooleanField(required=False)


class SegmentForm(forms.Form):
    segment = forms.ChoiceField(choices=list(RFM_SEGMENTS.items()))
    group = forms.BooleanField(required=False)


class SubscriptionForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    group = forms.BooleanField(label=_("Whole group"), required=False)
