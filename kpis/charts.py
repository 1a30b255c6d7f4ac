"""plotly figures from DataFrames: no ORM, no request. Each draws exactly its frame's numbers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

STAGE_LABELS = {"mql": "MQL", "sal": "SAL", "sql": "SQL", "customer": "Customer"}
COLORS = {"mql": "#7048e8", "sal": "#1c7ed6", "sql": "#0ca678", "customer": "#2b8a3e"}
LAYOUT = {
    "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
    "height": 300,
    "legend": {"orientation": "h", "y": -0.2},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "#fff",
    "font": {"family": "system-ui, sans-serif", "size": 12},
}


def to_html(figure: go.Figure) -> str:
    """The figure as an HTML fragment; plotly.js itself is loaded once by the page."""
    return figure.to_html(
        full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True}
    )


def funnel_chart(total: dict) -> go.Figure:
    stages = list(STAGE_LABELS)
    figure = go.Figure(
        go.Funnel(
            y=[STAGE_LABELS[stage] for stage in stages],
            x=[total[stage] for stage in stages],
            textinfo="value+percent previous",
            marker={"color": [COLORS[stage] for stage in stages]},
        )
    )
    figure.update_layout(**LAYOUT)
    return figure


def funnel_by_group_chart(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for stage, label in STAGE_LABELS.items():
        figure.add_bar(
            name=label,
            x=frame["group"].tolist(),
            y=frame[stage].tolist(),
            marker_color=COLORS[stage],
        )
    figure.update_layout(barmode="group", **LAYOUT)
    figure.update_xaxes(type="category")
    return figure


def target_chart(frame: pd.DataFrame, value_column: str, label: str) -> go.Figure:
    figure = go.Figure()
    figure.add_bar(
        name=label,
        x=frame["period"].tolist(),
        y=frame[value_column].tolist(),
        marker_color="#3b5bdb",
    )
    if frame["target"].notna().any():
        figure.add_scatter(
            name="Target",
            x=frame["period"].tolist(),
            y=[None if pd.isna(value) else value for value in frame["target"]],
            mode="lines+markers",
            line={"color": "#e67700", "dash": "dash"},
        )
    figure.update_layout(**LAYOUT)
    # Periods are categories ("2026-01", "2026-01-05"), not dates to spread on a time axis;
    # a year of weeks would print 52 labels, so plotly picks about a dozen.
    figure.update_xaxes(type="category", nticks=13)
    return figure


def bar_chart(
    frame: pd.DataFrame,
    x: str,
    ys: dict[str, str],
    *,
    percent: bool = False,
    horizontal: bool = False,
) -> go.Figure:
    """One bar series per column in ``ys`` ({column: legend label}).

    ``horizontal`` suits long category names (campaigns, reasons): one row per name.
    """
    figure = go.Figure()
    labels = [str(value) for value in frame[x].tolist()]
    for column, label in ys.items():
        values = [None if pd.isna(value) else value for value in frame[column]]
        if horizontal:
            figure.add_bar(name=label, y=labels, x=values, orientation="h")
        else:
            figure.add_bar(name=label, x=labels, y=values)
    figure.update_layout(barmode="group", **LAYOUT)
    value_axis = figure.update_xaxes if horizontal else figure.update_yaxes
    category_axis = figure.update_yaxes if horizontal else figure.update_xaxes
    category_axis(type="category")
    if horizontal:
        figure.update_layout(height=max(300, 26 * len(labels) * max(1, len(ys)) + 80))
        figure.update_yaxes(autorange="reversed", automargin=True)
    if percent:
        value_axis(tickformat=".0%")
    return figure


def line_chart(frame: pd.DataFrame, x: str, y: str, label: str) -> go.Figure:
    figure = go.Figure(
        go.Scatter(
            x=frame[x].tolist(),
            y=frame[y].tolist(),
            mode="lines",
            name=label,
            line={"color": "#7048e8"},
        )
    )
    figure.update_layout(**LAYOUT)
    return figure
