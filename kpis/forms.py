"""The dashboards' filter bar. Filters live in the URL (GET), so a view can be shared."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from kpis import selectors
from kpis.periods import period_start
from kpis.selectors import Slice

if TYPE_CHECKING:  # django-stubs' companion, a development dependency
    from django_stubs_ext import StrOrPromise

# A range may not span more than this, so one request cannot ask for decades of days.
MAX_RANGE_DAYS = 366 * 5


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included: [first day 11 months ago, tomorrow)."""
    today = today or timezone.localdate()
    first = period_start("month", today)
    for _month in range(11):
        first = period_start("month", first - dt.timedelta(days=1))
    return first, today + dt.timedelta(days=1)


def range_errors(since: dt.date | None, until: dt.date | None) -> dict[str, StrOrPromise]:
    """Field messages for a bad [from, to) range; empty when the range is fine."""
    if since is None or until is None:
        return {}
    if since >= until:
        return {"to": _("“to” must be after “from” (it is exclusive).")}
    if (until - since).days > MAX_RANGE_DAYS:
        return {"to": _("A range may span at most five years.")}
    return {}


class DashboardFilterForm(forms.Form):
    from_ = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    to = forms.DateField(
        label=_("To (exclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.none(), empty_label=_("All teams")
    )
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), required=False, coerce=int, empty_value=None
    )
    source = forms.ChoiceField(label=_("Source"), required=False)
    view = forms.ChoiceField(
        label=_("Funnel view"),
        required=False,
        choices=[("cohort", _("Cohort")), ("period", _("Period"))],
    )

    def __init__(self, data=None, *, forced_team_id: int | None = None, **kwargs):
        since, until = default_range()
        if data is not None:
            # Blank dates mean the default range, shown in the inputs as such.
            data = data.copy()
            if not data.get("from"):
                data["from"] = since.isoformat()
            if not data.get("to"):
                data["to"] = until.isoformat()
        super().__init__(data, **kwargs)
        self.fields["from_"].initial = since
        self.fields["to"].initial = until
        self.forced_team_id = forced_team_id
        for name in ("segment", "region", "source"):
            cast(forms.ChoiceField, self.fields[name]).choices = [("", _("All"))] + [
                (value, value) for value in selectors.distinct_values(name)
            ]
        teams = Team.objects.filter(kind="sales").order_by("name")
        team_field = cast(forms.ModelChoiceField, self.fields["team"])
        if forced_team_id is not None:
            teams = teams.filter(pk=forced_team_id)
            team_field.empty_label = None
            team_field.disabled = True
            team_field.help_text = _("You see your own team's numbers.")
        team_field.queryset = teams
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [("", _("All campaigns"))] + [
            (campaign["id"], campaign["name"]) for campaign in selectors.campaign_choices()
        ]

    def add_prefix(self, field_name):
        # "from" is a Python keyword, so the field is from_ but the URL says from=.
        return "from" if field_name == "from_" else super().add_prefix(field_name)

    def clean(self):
        # Form.clean() returns self.cleaned_data (its type says it may return None).
        super().clean()
        cleaned = self.cleaned_data
        for field, message in range_errors(cleaned.get("from_"), cleaned.get("to")).items():
            self.add_error(field, message)
        return cleaned

    def range(self) -> tuple[dt.date, dt.date]:
        since, until = default_range()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("from_") or since, data.get("to") or until

    def slice(self) -> Slice:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        team = data.get("team")
        team_id = (
            self.forced_team_id if self.forced_team_id is not None else (team.pk if team else None)
        )
        return Slice(
            segment=data.get("segment") or "",
            region=data.get("region") or "",
            source=data.get("source") or "",
            team_id=team_id,
            campaign_id=data.get("campaign"),
        )

    def funnel_view(self) -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("view") or "cohort"
