"""Forms of the SLA pages. They only translate input; the services decide and save."""

from datetime import date
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from accounts.roles import TeamKind
from sla.models import TERM_FIELDS, BreachKind, Side, SLAVersion
from sla.selectors import period_range
from sla.terms import REQUIRABLE_LEAD_FIELDS

WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


# How people read the terms (pages, forms, the diff).
TERM_LABELS = {
    "mql_target": "MQL volume",
    "acceptance_rate_target": "MQL quality (accepted by sales)",
    "mql_min_score": "MQL definition: minimum score",
    "mql_required_fields": "MQL definition: required fields",
    "decision_hours": "Decision speed: accept or reject within",
    "first_touch_hours": "Speed to first touch",
    "min_attempts": "Persistence before recycling",
    "rejection_comment_required": "Comment on every rejection",
    "feedback_days": "Feedback on each campaign within",
    "period": "Period",
    "time_zone": "Time zone",
    "working_days": "Working days",
    "day_start": "Working day starts",
    "day_end": "Working day ends",
    "holidays": "Holidays",
    "valid_from": "Valid from",
    "valid_until": "Valid until",
}


class HolidaysField(forms.CharField):
    """One ISO date per line (or comma-separated) ↔ a sorted list of ISO strings."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "2026-12-25\n2026-12-26"})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        days = []
        for part in text.replace(",", "\n").split():
            try:
                days.append(date.fromisoformat(part.strip()).isoformat())
            except ValueError as error:
                raise forms.ValidationError(
                    _("“%(value)s” is not a date like 2026-12-25."), params={"value": part}
                ) from error
        return sorted(set(days))


class VersionTermsForm(forms.ModelForm):
    """The terms of a version. Fields of the other side's commitments are shown disabled."""

    working_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    mql_required_fields = forms.MultipleChoiceField(
        choices=[(name, name.replace("_", " ")) for name in REQUIRABLE_LEAD_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("MQL definition: required fields"),
    )
    holidays = HolidaysField(required=False, help_text=_("One date per line, e.g. 2026-12-25."))

    class Meta:
        model = SLAVersion
        fields = list(TERM_FIELDS)
        widgets = {
            "day_start": forms.TimeInput(attrs={"type": "time"}),
            "day_end": forms.TimeInput(attrs={"type": "time"}),
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, editable: frozenset[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TERM_FIELDS:
            if name in self.fields:
                self.fields[name].label = TERM_LABELS[name]
        if editable is not None:
            for name, field in self.fields.items():
                if name in TERM_FIELDS and name not in editable:
                    field.disabled = True
                    field.help_text = _("The other side's commitment: they change it.")

    def _post_clean(self):
        # The service validates the whole version (and decides in place vs new draft).
        pass

    def terms(self) -> dict:
        return {name: self.cleaned_data[name] for name in TERM_FIELDS if name in self.cleaned_data}


class SLACreateForm(VersionTermsForm):
    name = forms.CharField(max_length=150)
    marketing_team = forms.ModelChoiceField(queryset=Team.objects.filter(kind=TeamKind.MARKETING))
    sales_team = forms.ModelChoiceField(queryset=Team.objects.filter(kind=TeamKind.SALES))
    segment = forms.CharField(max_length=50, required=False, help_text=_("Blank: every segment."))
    region = forms.CharField(max_length=50, required=False, help_text=_("Blank: every region."))

    field_order = ["name", "marketing_team", "sales_team", "segment", "region"]


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label=_("Comment"),
        help_text=_("What happened, or what will change."),
    )


class BreachFilterForm(forms.Form):
    side = forms.ChoiceField(
        required=False,
        choices=[("", _("Both sides")), *Side.choices],
    )
    kind = forms.ChoiceField(required=False)
    period = forms.CharField(
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "2026-11 or 2026-Q4"}),
    )
    acknowledged = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Acknowledged or not")),
            ("no", _("Not acknowledged")),
            ("yes", _("Acknowledged")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("Every kind")),
            *BreachKind.choices,
        ]

    def clean_period(self):
        period = self.cleaned_data["period"].strip()
        if period:
            try:
                period_range(period)
            except ValueError as error:
                raise forms.ValidationError(_("Use YYYY-MM or YYYY-Qn.")) from error
        return period
