"""Panels on durations: velocity between stages and speed to lead."""

from __future__ import annotations

import pandas as pd

from kpis import analytics, charts, selectors
from kpis.dashboards.base import Panel, Range, owner_names
from kpis.selectors.durations import DurationRow, Durations

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


def _total_row(durations: Durations) -> DurationRow:
    return {"group": "total", **durations}


def speed_to_lead_panel(r: Range, *, group_by: str = "total") -> Panel:
    if group_by == "total":
        summary = r.durations()
        decision: list[DurationRow] = [_total_row(summary["decision"])]
        touch: list[DurationRow] = [_total_row(summary["first_touch"])]
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
        names = owner_names(frame["group"])
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
