"""plotly figures for the themes page. They take rows counted in SQL, never a QuerySet."""

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    "height": 340,
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "font": {"family": "system-ui, sans-serif", "size": 12},
}


def _html(figure: go.Figure) -> str:
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        config={"displayModeBar": False, "responsive": True},
    )


def top_tags_chart(rows: Sequence[Mapping[str, Any]]) -> str:
    """Horizontal bars: the most frequent tags, the biggest on top."""
    rows = list(reversed(rows))
    figure = go.Figure(
        go.Bar(
            x=[row["count"] for row in rows],
            y=[row["name"] for row in rows],
            orientation="h",
            marker_color="#3b5bdb",
        )
    )
    figure.update_layout(title="Most frequent tags", **LAYOUT)
    figure.update_yaxes(automargin=True)
    return _html(figure)


def by_month_chart(rows: Sequence[Mapping[str, Any]], title: str) -> str:
    """Stacked bars per month, one series per name (tag or competitor)."""
    months = sorted({row["month"] for row in rows})
    labels = [f"{month:%b %Y}" for month in months]
    names = []
    for row in sorted(rows, key=lambda row: -row["count"]):
        if row["name"] not in names:
            names.append(row["name"])
    counts = {(row["month"], row["name"]): row["count"] for row in rows}
    figure = go.Figure(
        [
            go.Bar(name=name, x=labels, y=[counts.get((month, name), 0) for month in months])
            for name in names[:12]
        ]
    )
    figure.update_layout(title=title, barmode="stack", legend={"orientation": "h"}, **LAYOUT)
    return _html(figure)
