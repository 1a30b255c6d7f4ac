"""Panels on money: revenue and new customers against target, pipeline, top campaigns."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from kpis import analytics, charts, selectors
from kpis.dashboards.base import Panel, Range, monthly_targets, owner_names
from kpis.models import Measure


def _against_target_panel(
    r: Range,
    *,
    key: str,
    measure: str,
    column: Literal["revenue", "customers"],
    label: str,
    kind: str,
) -> Panel:
    """A measure per month beside its target (revenue, new customers)."""
    frame = analytics.target_frame(
        [{"period": row["period"], column: row[column]} for row in r.revenue_rows()],
        monthly_targets(measure, r.since, r.until),
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


def pipeline_panel(r: Range, *, group_by: str = "segment") -> Panel:
    rows = selectors.pipeline_by(group_by=group_by, slice=r.slice)
    frame = pd.DataFrame(rows, columns=["group", "deals", "amount"])
    frame["amount"] = frame["amount"].astype("float64")
    if group_by == "owner":
        names = owner_names(frame["group"])
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
