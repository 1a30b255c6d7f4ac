"""The dashboards' panels: selectors → analytics → charts, one function per panel.

A panel is a DataFrame plus the chart drawn from it; the page shows the chart and the
same frame as a table, and the CSV export writes the same frame. That is how "the CSV
equals the chart" holds by construction (and the tests check it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import pandas as pd
import plotly.graph_objects as go

from accounts.models import User
from kpis import analytics, charts, histograms, selectors
from kpis.models import KpiDefinition, KpiTarget, Measure
from kpis.periods import period_start
from kpis.selectors import Slice


@dataclass(frozen=True)
class Range:
    since: dt.datetime
    until: dt.datetime
    slice: Slice
    view: str = "cohort"
    # Results shared by several panels of one page (one request), e.g. revenue rows.
    memo: dict = field(default_factory=dict, compare=False, hash=False)

    def revenue_rows(self) -> list[dict]:
        if "revenue" not in self.memo:
            self.memo["revenue"] = selectors.revenue_by_period(
                since=self.since, until=self.until, period="month", slice=self.slice
            )
        return self.memo["revenue"]

    def durations(self) -> dict[str, dict]:
        """Velocity and speed-to-lead summaries, read together (one snapshot query)."""
        if "durations" not in self.memo:
            self.memo["durations"] = selectors.durations_summary(
                names=list(histograms.DURATIONS),
                since=self.since,
                until=self.until,
                slice=self.slice,
            )
        return self.memo["durations"]


@dataclass
class Panel:
    key: str
    title: str
    frame: pd.DataFrame
    figure: go.Figure | None
    # column → (heading, format) with format among count, money, percent, hours, text
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    note: str = ""
    empty: bool = False

    def chart_html(self) -> str:
        return charts.to_html(self.figure) if self.figure is not None and not self.empty else ""

    @cached_property
    def table_rows(self) -> list[list[tuple[object, str]]]:
        return [
            [(row.get(column), kind) for column, (_heading, kind) in self.columns.items()]
            for row in analytics.records(self.frame)
        ]

    def csv(self) -> str:
        frame = self.frame[list(self.columns)] if self.columns else self.frame
        return frame.rename(columns={key: value[0] for key, value in self.columns.items()}).to_csv(
            index=False
        )


FUNNEL_COLUMNS = {
    "group": ("Group", "text"),
    "mql": ("MQL", "count"),
    "sal": ("SAL", "count"),
    "sql": ("SQL", "count"),
    "customer": ("Customer", "count"),
    "mql_to_sal": ("MQL → SAL", "percent"),
    "sal_to_sql": ("SAL → SQL", "percent"),
    "sql_to_customer": ("SQL → customer", "percent"),
}


def _owner_names(ids) -> dict[str, str]:
    users = User.objects.filter(pk__in=[int(i) for i in ids if str(i).isdigit()])
    return {str(user.pk): str(user) for user in users}


def _targets(measure: str, since: dt.datetime, until: dt.datetime) -> dict[str, Decimal]:
    """Monthly targets of the first unfiltered KPI on ``measure``, by "YYYY-MM"."""
    kpi = KpiDefinition.objects.filter(measure=measure, period="month", filters={}).first()
    if kpi is None:
        return {}
    first = period_start("month", since.date())
    rows = KpiTarget.objects.filter(kpi=kpi, period_start__gte=first, period_start__lt=until.date())
    return {row.period_start.strftime("%Y-%m"): row.value for row in rows}


def funnel_panel(r: Range, *, view: str | None = None, group_by: str = "month") -> Panel:
    view = view or r.view
    rows = selectors.funnel(
        since=r.since, until=r.until, view=view, group_by=group_by, slice=r.slice
    ).rows
    frame = analytics.funnel_frame(rows)
    if group_by == "owner":
        names = _owner_names(frame["group"])
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


def _against_target_panel(
    r: Range, *, key: str, measure: str, column: str, label: str, kind: str
) -> Panel:
    """A measure per month beside its target (revenue, new customers)."""
    frame = analytics.target_frame(
        [{"period": row["period"], column: row[column]} for row in r.revenue_rows()],
        _targets(measure, r.since, r.until),
        column,
    )
    return Panel(
        key=key,
        title=f"{label} against target",
        frame=frame,
        figure=charts.target_chart(frame, column, label),
        columns={
            "period": ("Month", "text"),
            column: (label, kind),
            "target": ("Target", kind),
            "attainment": ("Attainment", "percent"),
        },
        empty=analytics.is_empty(frame, [column, "target"]),
    )


def revenue_panel(r: Range) -> Panel:
    return _against_target_panel(
        r,
        key="revenue",
        measure=Measure.REVENUE,
        column="revenue",
        label="Revenue",
        kind="money",
    )


def customers_panel(r: Range) -> Panel:
    return _against_target_panel(
        r,
        key="customers",
        measure=Measure.NEW_CUSTOMERS,
        column="customers",
        label="New customers",
        kind="count",
    )


VELOCITY_PAIRS = (("mql", "sal"), ("sal", "sql"), ("sql", "customer"), ("mql", "customer"))


def velocity_panel(r: Range) -> Panel:
    rows = []
    summary = r.durations()
    for start, end in VELOCITY_PAIRS:
        rows.append({**summary[f"{start}_{end}"], "group": f"{start.upper()} → {end.upper()}"})
    frame = analytics.velocity_frame(rows)
    return Panel(
        key="velocity",
        title="Velocity (hours)",
        frame=frame,
        figure=charts.bar_chart(
            frame, "group", {"median_hours": "Median", "p90_hours": "90th percentile"}
        ),
        columns={
            "group": ("Stages", "text"),
            "count": ("Leads", "count"),
            "median_hours": ("Median (h)", "hours"),
            "p90_hours": ("90th percentile (h)", "hours"),
        },
        empty=analytics.is_empty(frame, ["count"]),
    )


def speed_to_lead_panel(r: Range, *, group_by: str = "total") -> Panel:
    if group_by == "total":
        summary = r.durations()
        decision = [{"group": "total", **summary["decision"]}]
        touch = [{"group": "total", **summary["first_touch"]}]
        decision = [row for row in decision if row["count"]]
        touch = [row for row in touch if row["count"]]
    else:
        decision = selectors.speed_to_lead(
            since=r.since, until=r.until, to="decision", group_by=group_by, slice=r.slice
        )
        touch = selectors.speed_to_lead(
            since=r.since, until=r.until, to="first_touch", group_by=group_by, slice=r.slice
        )
    by_group: dict[str, dict] = {}
    for label, found in (("decision", decision), ("touch", touch)):
        for row in found:
            entry = by_group.setdefault(row["group"], {"group": row["group"]})
            entry[f"{label}_count"] = row["count"]
            entry[f"{label}_median_hours"] = row["median_hours"]
            entry[f"{label}_p90_hours"] = row["p90_hours"]
    columns = [
        "group",
        "decision_count",
        "decision_median_hours",
        "decision_p90_hours",
        "touch_count",
        "touch_median_hours",
        "touch_p90_hours",
    ]
    frame = pd.DataFrame(list(by_group.values()), columns=columns)
    for column in columns[1:]:
        frame[column] = frame[column].astype("float64").round(1)
    if group_by == "owner":
        names = _owner_names(frame["group"])
        frame["group"] = frame["group"].map(lambda g: names.get(g, g or "No owner"))
    elif not frame.empty:
        frame["group"] = "All hand-overs"
    return Panel(
        key="speed_to_lead" if group_by == "total" else "speed_by_seller",
        title="Speed to lead (hours)" if group_by == "total" else "Speed to lead by seller (hours)",
        frame=frame,
        figure=charts.bar_chart(
            frame,
            "group",
            {
                "decision_median_hours": "Hand-over → decision (median)",
                "touch_median_hours": "Hand-over → first touch (median)",
            },
        ),
        columns={
            "group": ("Who" if group_by == "owner" else "Hand-overs", "text"),
            "decision_count": ("Decided", "count"),
            "decision_median_hours": ("→ decision median (h)", "hours"),
            "decision_p90_hours": ("→ decision p90 (h)", "hours"),
            "touch_count": ("Touched", "count"),
            "touch_median_hours": ("→ first touch median (h)", "hours"),
            "touch_p90_hours": ("→ first touch p90 (h)", "hours"),
        },
        empty=frame.empty,
    )


def sla_panel(r: Range) -> Panel:
    compliance = selectors.sla_compliance(since=r.since, until=r.until)
    frame = pd.DataFrame(
        [{"side": side.capitalize(), "compliance": value} for side, value in compliance.items()],
        columns=["side", "compliance"],
    )
    return Panel(
        key="sla",
        title="SLA compliance",
        frame=frame,
        figure=charts.bar_chart(frame, "side", {"compliance": "Compliance"}, percent=True),
        columns={"side": ("Side", "text"), "compliance": ("Obligations met", "percent")},
        empty=frame["compliance"].isna().all() if not frame.empty else True,
        note="Share of SLA obligations met by each side in the range (whole organisation).",
    )


def pipeline_panel(r: Range, *, group_by: str = "segment") -> Panel:
    rows = selectors.pipeline_by(group_by=group_by, slice=r.slice)
    frame = pd.DataFrame(rows, columns=["group", "deals", "amount"])
    frame["amount"] = frame["amount"].astype("float64")
    if group_by == "owner":
        names = _owner_names(frame["group"])
        frame["group"] = frame["group"].map(lambda g: names.get(g, g or "No owner"))
    else:
        frame["group"] = frame["group"].map(lambda g: g or "(none)")
    return Panel(
        key="pipeline" if group_by == "segment" else f"pipeline_{group_by}",
        title="Pipeline (open SQLs)" if group_by == "segment" else "Pipeline by owner",
        frame=frame,
        figure=charts.bar_chart(frame, "group", {"amount": "Expected amount"}),
        columns={
            "group": ("Owner" if group_by == "owner" else "Segment", "text"),
            "deals": ("Open SQLs", "count"),
            "amount": ("Expected amount", "money"),
        },
        empty=frame.empty,
        note="Open SQLs now, whatever the date range.",
    )


def campaigns_panel(r: Range) -> Panel:
    rows = selectors.top_campaigns(since=r.since, until=r.until, limit=10)
    frame = pd.DataFrame(rows, columns=["name", "spend", "revenue", "roi"])
    for column in ("spend", "revenue", "roi"):
        frame[column] = frame[column].astype("float64")
    return Panel(
        key="campaigns",
        title="Top campaigns by revenue",
        note="Attributed revenue (U-shaped), spend and ROI in the range (whole organisation).",
        frame=frame,
        figure=charts.bar_chart(
            frame, "name", {"revenue": "Revenue", "spend": "Spend"}, horizontal=True
        ),
        columns={
            "name": ("Campaign", "text"),
            "spend": ("Spend", "money"),
            "revenue": ("Attributed revenue", "money"),
            "roi": ("ROI", "percent"),
        },
        empty=frame.empty,
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
    target = _targets(Measure.REVENUE, month_since, month_until).get(month.strftime("%Y-%m"))
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


def acceptance_panel(r: Range, *, group_by: str) -> Panel:
    rows = selectors.acceptance_by(since=r.since, until=r.until, group_by=group_by, slice=r.slice)
    frame = pd.DataFrame(rows, columns=["group", "mql", "accepted", "rejected"])
    decided = frame["accepted"] + frame["rejected"]
    frame["acceptance"] = analytics._ratio(frame["accepted"], decided) if not frame.empty else []
    frame["group"] = frame["group"].map(lambda g: g or "(none)")
    return Panel(
        key=f"acceptance_{group_by}",
        title=f"Acceptance rate by {group_by}",
        frame=frame,
        figure=charts.bar_chart(
            frame,
            "group",
            {"acceptance": "Accepted ÷ decided"},
            percent=True,
            horizontal=group_by == "campaign",
        ),
        columns={
            "group": (group_by.capitalize(), "text"),
            "mql": ("MQLs", "count"),
            "accepted": ("Accepted", "count"),
            "rejected": ("Rejected", "count"),
            "acceptance": ("Acceptance rate", "percent"),
        },
        empty=frame.empty,
    )


def rejections_panel(r: Range) -> Panel:
    rows = selectors.rejection_reasons(since=r.since, until=r.until, slice=r.slice)
    frame = pd.DataFrame(rows, columns=["reason", "rejections"])
    return Panel(
        key="rejections",
        title="Rejection reasons",
        frame=frame,
        figure=charts.bar_chart(frame, "reason", {"rejections": "Rejections"}, horizontal=True),
        columns={"reason": ("Reason", "text"), "rejections": ("Rejections", "count")},
        empty=frame.empty,
    )


def compliance_by_seller_panel(r: Range) -> Panel:
    rows = selectors.compliance_by_seller(since=r.since, until=r.until, slice=r.slice)
    frame = pd.DataFrame(rows, columns=["owner_id", "handed_over", "met", "compliance"])
    names = _owner_names(frame["owner_id"].astype(str))
    frame.insert(0, "seller", frame["owner_id"].astype(str).map(lambda g: names.get(g, g)))
    frame = frame.drop(columns=["owner_id"])
    return Panel(
        key="compliance_by_seller",
        title="SLA compliance by seller",
        frame=frame,
        figure=charts.bar_chart(
            frame, "seller", {"compliance": "MQLs without a breach"}, percent=True
        ),
        columns={
            "seller": ("Seller", "text"),
            "handed_over": ("MQLs handed over", "count"),
            "met": ("No breach", "count"),
            "compliance": ("Compliance", "percent"),
        },
        empty=frame.empty,
    )


EXECUTIVE: dict[str, Callable[[Range], Panel]] = {
    "revenue": revenue_panel,
    "customers": customers_panel,
    "funnel_cohort": lambda r: funnel_panel(r, view="cohort"),
    "funnel_period": lambda r: funnel_panel(r, view="period"),
    "velocity": velocity_panel,
    "speed_to_lead": speed_to_lead_panel,
    "sla": sla_panel,
    "pipeline": pipeline_panel,
    "campaigns": campaigns_panel,
}
MARKETING: dict[str, Callable[[Range], Panel]] = {
    "mql_volume": mql_volume_panel,
    "acceptance_source": lambda r: acceptance_panel(r, group_by="source"),
    "acceptance_campaign": lambda r: acceptance_panel(r, group_by="campaign"),
    "rejections": rejections_panel,
}
SALES: dict[str, Callable[[Range], Panel]] = {
    "speed_by_seller": lambda r: speed_to_lead_panel(r, group_by="owner"),
    "compliance_by_seller": compliance_by_seller_panel,
    "funnel_cohort_owner": lambda r: funnel_panel(r, view="cohort", group_by="owner"),
    "pipeline_owner": lambda r: pipeline_panel(r, group_by="owner"),
    "effect": effect_panel,
}
DASHBOARDS = {"executive": EXECUTIVE, "marketing": MARKETING, "sales": SALES}
