"""Panels on the funnel: cohort and period funnels, MQL volume, the SLA effect, the cascade."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpis import analytics, charts, selectors
from kpis.dashboards.base import FUNNEL_COLUMNS, Panel, Range, monthly_targets, owner_names
from kpis.models import KpiDefinition, Measure
from kpis.periods import period_start


def funnel_panel(r: Range, *, view: str | None = None, group_by: str = "month") -> Panel:
    view = view or r.view
    rows = selectors.funnel(
        since=r.since, until=r.until, view=view, group_by=group_by, slice=r.slice
    ).rows
    frame = analytics.funnel_frame(rows)
    if group_by == "owner":
        names = owner_names(frame["group"])
        frame["group"] = frame["group"].map(lambda g: names.get(g, g or "No owner"))
    total = analytics.funnel_total(frame)
    title = "Funnel (cohort view)" if view == "cohort" else "Funnel (period view)"
    key = f"funnel_{view}" if group_by == "month" else f"funnel_{view}_{group_by}"
    with_total = pd.concat([frame, pd.DataFrame([{"group": "Total", **total}])], ignore_index=True)
    return Panel(
        key=key,
        title=title if group_by == "month" else "Conversion by seller",
        frame=with_total,
        figure=charts.funnel_chart(total)
        if group_by == "month"
        else charts.funnel_by_group_chart(frame),
        columns=FUNNEL_COLUMNS,
        note=(
            "Leads that became MQLs in the range, by the stages they reached since."
            if view == "cohort"
            else "How many leads entered each stage in each month."
        ),
        empty=analytics.is_empty(frame, ["mql", "sal", "sql", "customer"]),
    )


def mql_volume_panel(r: Range) -> Panel:
    rows = selectors.funnel(
        since=r.since, until=r.until, view="period", group_by="week", slice=r.slice
    ).rows
    frame = pd.DataFrame(
        [{"period": row["group"], "mql": row["mql"]} for row in rows], columns=["period", "mql"]
    )
    kpi = KpiDefinition.objects.filter(measure=Measure.MQL_VOLUME, filters={}).first()
    weekly_target = None
    if kpi is not None:
        latest = kpi.targets.order_by("-period_start").first()
        if latest is not None:
            # A monthly volume target spread over the weeks of an average month.
            weekly_target = float(latest.value) * (7 / 30.44 if kpi.period == "month" else 1)
            if kpi.period == "quarter":
                weekly_target = float(latest.value) / 13
    frame["target"] = round(weekly_target, 1) if weekly_target is not None else None
    frame["target"] = frame["target"].astype("float64")
    return Panel(
        key="mql_volume",
        title="MQL volume per week against the SLA target",
        frame=frame,
        figure=charts.target_chart(frame, "mql", "MQLs"),
        columns={
            "period": ("Week of", "text"),
            "mql": ("MQLs", "count"),
            "target": ("Target", "count"),
        },
        empty=analytics.is_empty(frame, ["mql"]),
    )


def effect_panel(r: Range) -> Panel:
    rows = selectors.speed_to_lead_effect(since=r.since, until=r.until, slice=r.slice)
    frame = analytics.funnel_frame(rows)
    frame["median_hours_to_customer"] = [row["median_hours_to_customer"] for row in rows] or []
    frame["group"] = frame["group"].map({"met": "SLA met", "breached": "SLA breached"})
    return Panel(
        key="effect",
        title="Speed-to-lead effect",
        frame=frame,
        figure=charts.bar_chart(
            frame,
            "group",
            {
                "mql_to_sal": "MQL → SAL",
                "sal_to_sql": "SAL → SQL",
                "sql_to_customer": "SQL → customer",
            },
            percent=True,
        ),
        columns={
            **FUNNEL_COLUMNS,
            "group": ("MQLs", "text"),
            "median_hours_to_customer": ("MQL → customer median (h)", "hours"),
        },
        empty=analytics.is_empty(frame, ["mql"]),
        note="Conversion of MQL cohorts on which sales met or breached the SLA.",
    )


def cascade_panel(r: Range, *, today: dt.date) -> Panel:
    """This month's revenue target broken down into the funnel volumes it needs."""
    month = period_start("month", today)
    month_since = selectors.local_midnight(month)
    month_until = selectors.local_midnight((month + dt.timedelta(days=32)).replace(day=1))
    target = monthly_targets(Measure.REVENUE, month_since, month_until).get(month.strftime("%Y-%m"))
    revenue_rows = r.revenue_rows()
    won = sum(row["customers"] for row in revenue_rows)
    average_deal = sum(row["revenue"] for row in revenue_rows) / won if won else None
    rates = analytics.funnel_total(
        analytics.funnel_frame(
            selectors.funnel(
                since=r.since, until=r.until, view="cohort", group_by="total", slice=r.slice
            ).rows
        )
    )
    this_month = analytics.funnel_total(
        analytics.funnel_frame(
            selectors.funnel(
                since=month_since, until=month_until, view="period", group_by="total", slice=r.slice
            ).rows
        )
    )
    month_revenue = selectors.totals(since=month_since, until=month_until, slice=r.slice)["revenue"]
    frame = analytics.goal_cascade(
        revenue_target=target,
        average_deal=average_deal,
        rates=rates,
        actual={"revenue": month_revenue, **this_month},
    )
    frame["stage"] = frame["stage"].map(
        {"revenue": "Revenue", "customer": "Customers", "sql": "SQLs", "sal": "SALs", "mql": "MQLs"}
    )
    return Panel(
        key="cascade",
        title=f"Goal cascade for {month:%B %Y}",
        frame=frame,
        figure=charts.bar_chart(
            frame[frame["stage"] != "Revenue"],
            "stage",
            {"needed": "Needed", "actual": "Actual so far"},
        ),
        columns={
            "stage": ("", "text"),
            "needed": ("Needed", "count"),
            "actual": ("Actual so far", "count"),
            "gap": ("Still missing", "count"),
        },
        empty=target is None or frame["needed"].iloc[1:].isna().all(),
        note=(
            "Set a monthly revenue target on the Revenue KPI to see the cascade."
            if target is None
            else "From this month's revenue target, the measured average deal size and the "
            "cohort conversion rates of the chosen range."
        ),
    )
