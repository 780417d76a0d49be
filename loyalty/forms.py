"""Loyalty forms: shape and range checks only; the rules live in loyalty/services.py."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from loyalty.models import EntryKind, OrderStatus, Program, Reward, Tier

MAX_POINTS = 10_000_000


class TokenMixin(forms.Form):
    # One token per rendered form: a double-clicked or re-sent POST is recognised and applied once.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)


class AwardForm(forms.Form):
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=MAX_POINTS)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points"), min_value=-MAX_POINTS, max_value=MAX_POINTS, help_text=_("Negative to remove points.")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean_points(self):
        if self.cleaned_data["points"] == 0:
            raise forms.ValidationError(_("Enter a number of points other than zero."))
        return self.cleaned_data["points"]


class RedeemForm(TokenMixin):
    reward = forms.ModelChoiceField(label=_("Reward"), queryset=Reward.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)

    def __init__(self, *args, rewards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reward"].queryset = rewards
        self.fields["reward"].label_from_instance = lambda r: f"{r.name} · {r.points_price}"


class StatementFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + list(EntryKind.choices))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + list(OrderStatus.choices))


class RewardForm(forms.ModelForm):
    class Meta:
        model = Reward
        fields = [
            "name",
            "kind",
            "description",
            "hotel",
            "points_price",
            "stock",
            "valid_from",
            "valid_until",
            "is_active",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, hotels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hotel"].queryset = hotels

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_until") and data["valid_from"] > data["valid_until"]:
            raise forms.ValidationError(_("The reward's validity ends before it starts."))
        return data


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "name",
            "currency",
            "spend_unit",
            "points_per_unit_room",
            "points_per_unit_fb",
            "points_per_unit_other",
            "bonus_first_stay",
            "bonus_birthday_stay",
            "bonus_suggestion_adopted",
            "earn_min_nights",
            "earn_min_revenue",
            "first_stay_min_nights",
            "first_stay_min_revenue",
            "expiry_months_after_earning",
            "expiry_months_inactive",
            "tier_validity_months",
            "adjustment_approval_threshold",
        ]


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "min_nights", "min_stays", "min_spend", "multiplier", "benefits"]
        widgets = {"benefits": forms.Textarea(attrs={"rows": 2})}


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
