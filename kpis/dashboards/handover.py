"""Panels on hand-over: SLA compliance (overall and per seller), acceptance, rejections."""

from __future__ import annotations

import pandas as pd

from kpis import analytics, charts, selectors
from kpis.dashboards.base import Panel, Range, owner_names


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
    names = owner_names(frame["owner_id"].astype(str))
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
