"""plotly figures from DataFrames: no ORM, no request. Each draws exactly its frame's numbers.

Each figure is built in one go from trace and layout dicts: plotly validates a whole
figure once, where every ``update_layout`` / ``update_xaxes`` call would walk its property
paths again (measured: most of the page's Python time went there).
"""

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


def _figure(traces: list[dict], **layout) -> go.Figure:
    return go.Figure(data=traces, layout={**LAYOUT, **layout})


def _values(series: pd.Series) -> list:
    return [None if pd.isna(value) else value for value in series]


def to_html(figure: go.Figure) -> str:
    """The figure as an HTML fragment; plotly.js itself is loaded once by the page."""
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        validate=False,  # validated when built
        config={"displaylogo": False, "responsive": True},
    )


def funnel_chart(total: dict) -> go.Figure:
    stages = list(STAGE_LABELS)
    return _figure(
        [
            {
                "type": "funnel",
                "y": [STAGE_LABELS[stage] for stage in stages],
                "x": [total[stage] for stage in stages],
                "textinfo": "value+percent previous",
                "marker": {"color": [COLORS[stage] for stage in stages]},
            }
        ]
    )


def funnel_by_group_chart(frame: pd.DataFrame) -> go.Figure:
    groups = frame["group"].tolist()
    return _figure(
        [
            {
                "type": "bar",
                "name": label,
                "x": groups,
                "y": frame[stage].tolist(),
                "marker": {"color": COLORS[stage]},
            }
            for stage, label in STAGE_LABELS.items()
        ],
        barmode="group",
        xaxis={"type": "category"},
    )


def target_chart(frame: pd.DataFrame, value_column: str, label: str) -> go.Figure:
    periods = frame["period"].tolist()
    traces = [
        {
            "type": "bar",
            "name": label,
            "x": periods,
            "y": frame[value_column].tolist(),
            "marker": {"color": "#3b5bdb"},
        }
    ]
    if frame["target"].notna().any():
        traces.append(
            {
                "type": "scatter",
                "name": "Target",
                "x": periods,
                "y": _values(frame["target"]),
                "mode": "lines+markers",
                "line": {"color": "#e67700", "dash": "dash"},
            }
        )
    # Periods are categories ("2026-01", "2026-01-05"), not dates to spread on a time axis;
    # a year of weeks would print 52 labels, so plotly picks about a dozen.
    return _figure(traces, xaxis={"type": "category", "nticks": 13})


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
    labels = [str(value) for value in frame[x].tolist()]
    traces = []
    for column, label in ys.items():
        values = _values(frame[column])
        if horizontal:
            traces.append(
                {"type": "bar", "name": label, "y": labels, "x": values, "orientation": "h"}
            )
        else:
            traces.append({"type": "bar", "name": label, "x": labels, "y": values})
    category_axis: dict = {"type": "category"}
    value_axis: dict = {"tickformat": ".0%"} if percent else {}
    if horizontal:
        category_axis.update(autorange="reversed", automargin=True)
        return _figure(
            traces,
            barmode="group",
            height=max(300, 26 * len(labels) * max(1, len(ys)) + 80),
            xaxis=value_axis,
            yaxis=category_axis,
        )
    return _figure(traces, barmode="group", xaxis=category_axis, yaxis=value_axis)
