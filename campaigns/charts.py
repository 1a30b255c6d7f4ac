"""Plotly figures for the campaign page: from small DataFrames or dicts, no ORM, no request."""

import pandas as pd
import plotly.graph_objects as go

LAYOUT = {"margin": {"l": 40, "r": 20, "t": 30, "b": 40}, "height": 320, "template": "plotly_white"}


def funnel_chart(result: dict) -> go.Figure:
    """The campaign's leads down the waterfall: touched, MQL, SAL, SQL, customer."""
    figure = go.Figure(
        go.Funnel(
            y=["Leads touched", "MQL", "SAL", "SQL", "Customer"],
            x=[
                result["leads_influenced"],
                result["mqls"],
                result["sals"],
                result["sqls"],
                result["customers"],
            ],
            textinfo="value+percent initial",
            marker={"color": ["#94a3b8", "#6366f1", "#0ea5e9", "#f59e0b", "#10b981"]},
        )
    )
    figure.update_layout(**LAYOUT)
    return figure


def spend_vs_revenue_chart(monthly: pd.DataFrame) -> go.Figure:
    """Cumulated spend and attributed revenue per month, with the monthly bars behind."""
    # Month labels on a category axis: a date axis zooms into hours when there is one month.
    months = pd.to_datetime(monthly["month"]).dt.strftime("%b %Y").tolist()
    figure = go.Figure()
    figure.add_bar(x=months, y=monthly["spend"], name="Spend", marker_color="#fca5a5")
    figure.add_bar(
        x=months, y=monthly["revenue"], name="Attributed revenue", marker_color="#86efac"
    )
    figure.add_scatter(
        x=months, y=monthly["cum_spend"], name="Spend, cumulated", line_color="#dc2626"
    )
    figure.add_scatter(
        x=months,
        y=monthly["cum_revenue"],
        name="Revenue, cumulated",
        line_color="#16a34a",
    )
    figure.update_layout(**LAYOUT, barmode="group", legend={"orientation": "h", "y": -0.2})
    figure.update_xaxes(type="category")
    return figure


def to_html(figure: go.Figure) -> str:
    return figure.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
