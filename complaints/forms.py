"""Forms of the complaint pages. They check shape; the services own the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints import workflow
from complaints.models import Category, Channel, CompensationKind, Outcome, Severity, Status
from complaints.services import ATTACHMENT_MAX_BYTES

TEXT_MAX = 4000


class QuickLogForm(forms.Form):
    """What the front desk types while the guest is standing there: a few fields, under a minute."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.IN_PERSON)
    room_number = forms.CharField(label=_("Room"), max_length=16, required=False)
    guest_name = forms.CharField(label=_("Guest's name"), max_length=120, required=False)
    description = forms.CharField(
        label=_("What happened"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    guest_wish = forms.CharField(
        label=_("What the guest wants"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guest_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ComplaintEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)
    subcategory = forms.CharField(label=_("Subcategory"), max_length=100, required=False)
    room_number = forms.CharField(label=_("Room"), max_length=16, required=False)
    guest_wish = forms.CharField(
        label=_("What the guest wants"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, staff, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
        # People by name, not by username (the queue shows names too).
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.fields["department"].queryset = departments


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in workflow.TRANSITIONS])
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _score_choices():
    return [("", _("Not asked yet"))] + [(str(n), str(n)) for n in range(1, 6)]


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    response_language = forms.ChoiceField(label=_("Language of the response"), choices=workflow.RESPONSE_LANGUAGES)
    response_text = forms.CharField(
        label=_("Written response to the guest"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    root_cause = forms.CharField(
        label=_("Root cause"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    corrective_action = forms.CharField(
        label=_("Corrective action"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    satisfaction = forms.ChoiceField(
        label=_("Guest satisfaction with the handling (1-5)"), choices=_score_choices, required=False
    )
    satisfaction_comment = forms.CharField(label=_("Satisfaction comment"), max_length=TEXT_MAX, required=False)
    is_malicious = forms.BooleanField(label=_("Malicious complaint"), required=False)
    is_suggestion_adopted = forms.BooleanField(label=_("The guest's suggestion was adopted"), required=False)


class CompensationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CompensationKind.choices)
    amount = forms.DecimalField(label=_("Amount"), max_digits=10, decimal_places=2, min_value=0, required=False)
    gift = forms.CharField(label=_("Gift"), max_length=200, required=False)
    value = forms.DecimalField(
        label=_("Value of the gift"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CompensationDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Photo"), help_text=_("JPEG, PNG, GIF or WebP, at most 5 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(_("The photo is too large: at most 5 MB."))
        return upload


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled it?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to add?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Not yet resolved")), ("all", _("All"))] + list(Status.choices),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories"))] + list(Category.choices)
    )
    assignee = forms.CharField(label=_("Assignee"), required=False, max_length=20)
    due_soon = forms.BooleanField(label=_("Due within 2 hours"), required=False)
    breached = forms.BooleanField(label=_("Breached"), required=False)

    def filters(self):
        """The valid filters; anything malformed is simply ignored (a list never errors)."""
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items()} if hasattr(self, "cleaned_data") else {}
        else:
            data = dict(self.cleaned_data)
        assignee = data.get("assignee") or ""
        if assignee not in ("me", "none") and not assignee.isdigit():
            data["assignee"] = ""
        return data
