"""Dashboard pages: executive, marketing and sales views, and each panel's CSV export.

Thin: read the filters, apply the viewer's forced slice (sales sees its team), build the
panels (kpis.dashboards) and render. The CSV of a panel is built from the very frame its
chart is drawn from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kpis import dashboards, permissions, selectors
from kpis.forms import DashboardFilterForm
from kpis.models import KpiDefinition, Measure
from kpis.periods import period_end, period_start
from kpis.selectors import local_midnight
from smarketing.csv_export import csv_response

TITLES = {
    "executive": "Executive dashboard",
    "marketing": "Marketing view",
    "sales": "Sales view",
}


def _check_access(user, dashboard: str) -> None:
    if dashboard == "marketing" and not permissions.can_view_marketing_view(user):
        raise PermissionDenied("The marketing view is for marketing and leadership.")
    if dashboard == "sales" and not permissions.can_view_sales_view(user):
        raise PermissionDenied("The sales view is for sales and leadership.")


def _range_for(request) -> tuple[DashboardFilterForm, dashboards.Range, dt.date, dt.date]:
    form = DashboardFilterForm(
        request.GET or None, forced_team_id=permissions.forced_team_id(request.user)
    )
    since, until = form.range()
    panel_range = dashboards.Range(
        since=local_midnight(since),
        until=local_midnight(until),
        slice=form.slice(),
        view=form.funnel_view(),
    )
    return form, panel_range, since, until


class HeadlineCard(TypedDict):
    label: str
    value: Decimal | int | float | None
    kind: str  # how the template formats the value: money, count, percent
    target: Decimal | None
    attainment: Decimal | None


def _headline(panel_range: dashboards.Range, today: dt.date) -> list[HeadlineCard]:
    """This month's revenue and new customers against their targets."""
    month = period_start("month", today)
    since, until = local_midnight(month), local_midnight(period_end("month", month))
    totals = selectors.totals(since=since, until=until, slice=panel_range.slice)
    cards: list[HeadlineCard] = []
    for measure, label, value, kind in (
        (Measure.REVENUE, "Revenue this month", totals["revenue"], "money"),
        (Measure.NEW_CUSTOMERS, "New customers this month", totals["customers"], "count"),
    ):
        kpi = KpiDefinition.objects.filter(measure=measure, period="month", filters={}).first()
        target = kpi.targets.filter(period_start=month).first() if kpi else None
        target_value = target.value if target else None
        cards.append(
            {
                "label": label,
                "value": value,
                "kind": kind,
                "target": target_value,
                "attainment": (Decimal(value) / target_value) if target_value else None,
            }
        )
    cards.append(
        {
            "label": "Win rate this month",
            "value": totals["win_rate"],
            "kind": "percent",
            "target": None,
            "attainment": None,
        }
    )
    return cards


def _dashboard(request, dashboard: str):
    _check_access(request.user, dashboard)
    form, panel_range, since, until = _range_for(request)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "kpis/dashboard.html",
            {"form": form, "dashboard": dashboard, "title": TITLES[dashboard], "panels": []},
            status=400,
        )
    today = timezone.localdate()
    panels = [builder(panel_range) for builder in dashboards.DASHBOARDS[dashboard].values()]
    context = {
        "form": form,
        "dashboard": dashboard,
        "title": TITLES[dashboard],
        "panels": panels,
        "since": since,
        "until": until,
        "last_day": until - dt.timedelta(days=1),
        "time_zone": settings.TIME_ZONE,
        "forced_team": permissions.forced_team_id(request.user) is not None,
        "can_see_marketing": permissions.can_view_marketing_view(request.user),
        "can_see_sales": permissions.can_view_sales_view(request.user),
    }
    if dashboard == "executive":
        context["headline"] = _headline(panel_range, today)
        context["cascade"] = dashboards.cascade_panel(panel_range, today=today)
    return render(request, "kpis/dashboard.html", context)


@login_required
def executive(request):
    """Revenue and customers against target, funnel, velocity, speed to lead, SLA, campaigns."""
    return _dashboard(request, "executive")


@login_required
def marketing(request):
    """MQL volume against the SLA target, acceptance by campaign and source, rejections."""
    return _dashboard(request, "marketing")


@login_required
def sales(request):
    """Speed to lead and compliance by seller, conversion by seller, pipeline by owner."""
    return _dashboard(request, "sales")


@login_required
def export_csv(request, dashboard: str, panel: str):
    """One panel's numbers as CSV, with the same filters as the page."""
    builders = dashboards.DASHBOARDS.get(dashboard)
    if builders is None:
        raise Http404
    _check_access(request.user, dashboard)
    form, panel_range, since, until = _range_for(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    if panel == "cascade" and dashboard == "executive":
        built = dashboards.cascade_panel(panel_range, today=timezone.localdate())
    elif panel in builders:
        built = builders[panel](panel_range)
    else:
        raise Http404
    header, rows = built.csv_table()
    return csv_response(f"{panel}_{since.isoformat()}_{until.isoformat()}.csv", header, rows)
