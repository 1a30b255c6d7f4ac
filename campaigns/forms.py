"""Forms of the campaigns pages. They check input shape; the services check the rules."""

import csv
import io
from datetime import datetime, time
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from campaigns import lifecycle, selectors
from campaigns.models import Campaign, CampaignStatus, CampaignTouchKind, CampaignType
from leads.models import Account

DATE = forms.DateInput(attrs={"type": "date"})


class CampaignFilterForm(forms.Form):
    """The list's filters; selectors.campaign_list_for applies them."""

    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(
        choices=[("", "Any status"), *CampaignStatus.choices], required=False
    )
    type = forms.ChoiceField(choices=[("", "Any type"), *CampaignType.choices], required=False)
    owner = forms.ModelChoiceField(
        queryset=selectors.marketing_people(), required=False, empty_label="Any owner"
    )
    running_from = forms.DateField(required=False, widget=DATE, label="Running from")
    running_to = forms.DateField(required=False, widget=DATE, label="to")
    sort = forms.ChoiceField(
        choices=[
            ("-start", "Newest first"),
            ("start", "Oldest first"),
            ("name", "Name A–Z"),
            ("-name", "Name Z–A"),
            ("-budget", "Largest budget"),
            ("budget", "Smallest budget"),
            ("status", "Status"),
        ],
        required=False,
    )


class CampaignForm(forms.ModelForm):
    """The plan. The budget field is removed for people who may not edit budgets."""

    class Meta:
        model = Campaign
        fields = [
            "name",
            "type",
            "channel",
            "start_date",
            "end_date",
            "marketing_owner",
            "sales_coowner",
            "budget",
            "objective_mqls",
            "objective_sqls",
            "objective_pipeline",
            "objective_revenue",
            "target_accounts",
            "offer",
            "sales_follow_up",
            "description",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "offer": forms.Textarea(attrs={"rows": 2}),
            "sales_follow_up": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "target_accounts": forms.SelectMultiple(attrs={"size": 8}),
        }
        labels = {
            "objective_mqls": "Objective: MQLs",
            "objective_sqls": "Objective: SQLs",
            "objective_pipeline": "Objective: pipeline",
            "objective_revenue": "Objective: revenue",
            "sales_follow_up": "Sales follow-up",
        }

    def __init__(self, *args, can_edit_budget: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["marketing_owner"]
        ).queryset = selectors.marketing_people()
        cast(
            forms.ModelChoiceField, self.fields["sales_coowner"]
        ).queryset = selectors.sales_people()
        # The target-tier accounts (those campaigns aim at), tier 1 first, plus any already
        # chosen; not every account, which would be tens of thousands of options.
        chosen = self.instance.target_accounts.all() if self.instance.pk else Account.objects.none()
        cast(
            forms.ModelMultipleChoiceField, self.fields["target_accounts"]
        ).queryset = Account.objects.filter(
            ~Q(target_tier="") | Q(pk__in=chosen.values("pk"))
        ).order_by(Case(When(target_tier="", then=Value("~")), default=F("target_tier")), "name")
        self.fields[
            "target_accounts"
        ].help_text = "Target-tier accounts, tier 1 first. Hold Ctrl (⌘ on a Mac) to pick several."
        cast(forms.DecimalField, self.fields["budget"]).min_value = 0
        if not can_edit_budget:
            del self.fields["budget"]

    def clean(self):
        # Form.clean() returns self.cleaned_data (its type says it may return None).
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return data

    def clean_budget(self):
        budget = self.cleaned_data.get("budget")
        if budget is not None and budget < 0:
            raise ValidationError("The budget cannot be negative.")
        return budget

    def _post_clean(self):
        # The service validates the model (and the constraints); skip the ModelForm's own
        # instance validation so a bad date pair is reported once, on the field.
        pass

    def plan(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("target_accounts", None)
        return data


class MoveForm(forms.Form):
    action = forms.ChoiceField(choices=list(lifecycle.ACTION_LABELS.items()))
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SpendForm(forms.Form):
    spent_on = forms.DateField(widget=DATE, label="Date")
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = forms.CharField(max_length=200, required=False)


class ChecklistItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    # The active users, set per form in __init__().
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_date = forms.DateField(required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = User.objects.filter(
            is_active=True
        ).order_by("first_name", "last_name")


class ReviewForm(forms.Form):
    held_on = forms.DateField(widget=DATE, label="Meeting date", initial=timezone.localdate)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Notes")


class TouchForm(forms.Form):
    lead_email = forms.EmailField(label="Lead e-mail")
    kind = forms.ChoiceField(choices=CampaignTouchKind.choices)
    occurred_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label="When",
        help_text="In your time zone.",
    )


class TouchCsvForm(forms.Form):
    """CSV with a header: ``email`` (or ``lead_id``), ``kind``, ``occurred_at`` (ISO 8601)."""

    file = forms.FileField(label="CSV file")
    MAX_ROWS = 50_000

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError("The file must be UTF-8 text.") from error
        reader = csv.DictReader(io.StringIO(text))
        header = {name.strip().lower() for name in (reader.fieldnames or [])}
        if not ({"email", "lead_id"} & header) or not {"kind", "occurred_at"} <= header:
            raise ValidationError("The header must name email (or lead_id), kind and occurred_at.")
        items = []
        for row in reader:
            row = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
            items.append(
                {
                    "lead": row.get("lead_id") or None,
                    "email": row.get("email") or None,
                    "kind": row.get("kind", "").lower(),
                    "occurred_at": parse_when(row.get("occurred_at", "")),
                }
            )
            if len(items) > self.MAX_ROWS:
                raise ValidationError(f"At most {self.MAX_ROWS:,} rows per file.")
        if not items:
            raise ValidationError("The file has no rows.")
        return items


def parse_when(value: str) -> datetime | str | None:
    """An ISO date or date-time; naive values are read in the current time zone.

    Text that is not a date comes back as is, so the service reports it on its row.
    """
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            moment = datetime.combine(datetime.fromisoformat(value).date(), time(12, 0))
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class ComparisonForm(forms.Form):
    since = forms.DateField(widget=DATE, label="From")
    until = forms.DateField(widget=DATE, label="To (included)")
    model = forms.ChoiceField(
        choices=[(m, selectors.MODEL_LABELS[m]) for m in selectors.MODELS], label="Attribution"
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("cost_per_sql", "Cost per SQL, lowest first"),
            ("-roi", "ROI, highest first"),
            ("roi", "ROI, lowest first"),
            ("-revenue", "Revenue, highest first"),
            ("-spend", "Spend, highest first"),
            ("name", "Name"),
        ],
    )

    def clean(self):
        # Form.clean() returns self.cleaned_data (its type says it may return None).
        super().clean()
        data = self.cleaned_data
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end of the period cannot be before its start.")
        return data
