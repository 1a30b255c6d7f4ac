"""Forms of the feedback pages. They validate input; the services decide."""

from typing import cast

from django import forms

from campaigns.models import Campaign
from feedback import lifecycle
from feedback.models import RATED_KINDS, Kind
from leads.models import Account, Lead

RATING_CHOICES = [("", "—")] + [(str(value), str(value)) for value in range(1, 6)]


class FeedbackCreateForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices)
    text = forms.CharField(
        label="What did you hear?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="1 (poor) to 5 (excellent), for "
        + ", ".join(str(kind.label).lower() for kind in RATED_KINDS)
        + ".",
    )
    competitor = forms.CharField(
        max_length=100, required=False, help_text="For a competitor mention: which one?"
    )
    tags = forms.CharField(
        max_length=500,
        required=False,
        help_text="Comma-separated themes, e.g. pricing, security review.",
    )
    lead = forms.ModelChoiceField(
        queryset=Lead.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose one of your leads."},
    )
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("-start_date", "name"), required=False
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "This account does not exist."},
    )

    def __init__(self, *args, leads=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only leads the author may see can be referenced; the rest look unknown.
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = (
            leads if leads is not None else Lead.objects.none()
        )
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = Account.objects.all()

    def hidden_field_errors(self) -> list[str]:
        """Errors of the hidden subject fields, which the form layout would not show."""
        # An ErrorList yields its messages (its type says errors or lazy strings).
        return [
            str(message) for field in ("lead", "account") for message in self.errors.get(field, [])
        ]

    def clean_tags(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]


class FeedbackMoveForm(forms.Form):
    action = forms.ChoiceField(choices=lifecycle.ACTION_CHOICES)
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
