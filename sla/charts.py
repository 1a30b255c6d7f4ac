"""Plotly figures for the compliance page, built from selector results (no ORM here)."""

from typing import Any

import plotly.graph_objects as go

from sla.models import Side


def compliance_over_time(history: list[dict[str, Any]]) -> str:
    """A line per side: share of obligations met per month, as an HTML fragment.

    Months without obligations are gaps, not zeros: nothing was due, nothing was missed.
    """
    months = [row["period"] for row in history]
    figure = go.Figure()
    for side, colour in ((Side.MARKETING, "#7c3aed"), (Side.SALES, "#0f766e")):
        shares = [
            None if row[side]["share"] is None else round(100 * row[side]["share"], 1)
            for row in history
        ]
        figure.add_trace(
            go.Scatter(
                x=months,
                y=shares,
                mode="lines+markers",
                name=str(side.label),
                line={"color": colour, "width": 3},
                hovertemplate="%{x}: %{y}% of obligations met<extra>" + side + "</extra>",
            )
        )
    figure.update_layout(
        height=300,
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        yaxis={"range": [0, 105], "ticksuffix": "%", "title": None},
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": 1.12},
        plot_bgcolor="white",
    )
    figure.update_yaxes(gridcolor="#e5e7eb")
    return figure.to_html(full_html=False, include_plotlyjs=False, config={"displayModeBar": False})
