"""Campaigns side by side for a period, and its CSV export."""

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from campaigns import analytics, selectors
from campaigns.forms import ComparisonForm
from smarketing.csv_export import csv_response

COMPARISON_COLUMNS = [
    ("name", "Campaign"),
    ("type", "Type"),
    ("status", "Status"),
    ("start_date", "Start"),
    ("end_date", "End"),
    ("spend", "Spend"),
    ("mqls", "MQLs"),
    ("sqls", "SQLs"),
    ("customers", "Customers"),
    ("pipeline", "Pipeline"),
    ("revenue", "Revenue"),
    ("cost_per_mql", "Cost per MQL"),
    ("cost_per_sql", "Cost per SQL"),
    ("cost_per_customer", "Cost per customer"),
    ("roi", "ROI"),
]


@login_required
def campaign_comparison(request):
    """Campaigns side by side for a period: cost per SQL and ROI, sortable, CSV export."""
    today = timezone.localdate()
    form = ComparisonForm(
        request.GET
        or {
            "since": date(today.year, 1, 1),
            "until": today,
            "model": selectors.DEFAULT_MODEL,
            "sort": analytics.COMPARISON_DEFAULT_SORT,
        }
    )
    rows: list[dict[str, Any]] = []
    totals: dict[str, Any] | None = None
    if form.is_valid():
        data = form.cleaned_data
        rows, totals = analytics.campaign_comparison(
            selectors.campaigns_running_between(request.user, data["since"], data["until"]),
            since=data["since"],
            until=data["until"],
            model=data["model"],
            sort=data["sort"],
        )
        if request.GET.get("format") == "csv":
            return _comparison_csv(rows, data)
    return render(
        request,
        "campaigns/comparison.html",
        {"form": form, "rows": rows, "totals": totals},
        status=200 if form.is_valid() else 400,
    )


def _comparison_csv(rows: list[dict], data: dict) -> HttpResponse:
    return csv_response(
        f"campaigns-{data['since']}-{data['until']}-{data['model']}.csv",
        [key for key, _label in COMPARISON_COLUMNS],
        ([row[key] for key, _label in COMPARISON_COLUMNS] for row in rows),
    )
