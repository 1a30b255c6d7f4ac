"""pandas on aggregated rows only: rates, pivots, targets and the goal cascade.

Every function takes the short lists the selectors return (one row per group) and
returns a DataFrame; an empty input gives an empty frame with the right columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

FUNNEL_COLUMNS = ["group", "mql", "sal", "sql", "customer"]
RATE_PAIRS = (
    ("mql_to_sal", "mql", "sal"),
    ("sal_to_sql", "sal", "sql"),
    ("sql_to_customer", "sql", "customer"),
)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator ÷ denominator, None where the denominator is 0."""
    numerator = numerator.astype("float64")
    denominator = denominator.astype("float64")
    result = (numerator / denominator.where(denominator > 0)).astype("object")
    return result.where(denominator > 0, None)


def funnel_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Counts per group with the conversion between each pair of neighbouring stages."""
    frame = pd.DataFrame(rows, columns=FUNNEL_COLUMNS)
    for stage in FUNNEL_COLUMNS[1:]:
        frame[stage] = frame[stage].astype("int64")
    for name, source, target in RATE_PAIRS:
        frame[name] = _ratio(frame[target], frame[source])
    return frame


def funnel_total(frame: pd.DataFrame) -> dict[str, float | None]:
    """The totals row: summed counts, rates from the sums (not averaged rates)."""
    counts = {stage: int(frame[stage].sum()) for stage in FUNNEL_COLUMNS[1:]}
    total: dict[str, float | None] = dict(counts)
    for name, source, target in RATE_PAIRS:
        total[name] = (counts[target] / counts[source]) if counts[source] else None
    return total


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN becomes None, numpy numbers become Python numbers."""
    clean = frame.astype("object").where(frame.notna(), None)
    return [
        {key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()}
        for row in clean.to_dict(orient="records")
    ]


def is_empty(frame: pd.DataFrame, columns: list[str] | None = None) -> bool:
    """True when there is nothing to draw: no rows, or only zeros and gaps."""
    if frame.empty:
        return True
    numbers = frame[columns] if columns else frame.select_dtypes("number")
    if numbers.empty:
        return False
    return bool((numbers.fillna(0) == 0).all().all())


def velocity_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["group", "count", "median_hours", "p90_hours"])
    for column in ("median_hours", "p90_hours"):
        frame[column] = frame[column].astype("float64").round(1)
    return frame


def target_frame(
    actuals: list[dict], targets: dict[str, Decimal], value_column: str
) -> pd.DataFrame:
    """Actual per period next to its target and the attainment (actual ÷ target)."""
    frame = pd.DataFrame(actuals, columns=["period", value_column])
    frame[value_column] = frame[value_column].astype("float64")
    frame["target"] = frame["period"].map(lambda period: targets.get(period)).astype("float64")
    frame["attainment"] = _ratio(frame[value_column], frame["target"].fillna(0))
    return frame


def goal_cascade(
    *,
    revenue_target: Decimal | float | None,
    average_deal: Decimal | float | None,
    rates: dict[str, float | None],
    actual: Mapping[str, Decimal | float | None],
) -> pd.DataFrame:
    """From a revenue target, the customers, SQLs, SALs and MQLs needed, and the gap.

    needed customers = target ÷ average deal size; each earlier stage = the next one
    ÷ the measured conversion between them (cohort rates). A missing rate or deal size
    leaves the rest of the chain unknown (None) instead of guessing.
    """
    chain = [
        ("revenue", None),
        ("customer", None),
        ("sql", "sql_to_customer"),
        ("sal", "sal_to_sql"),
        ("mql", "mql_to_sal"),
    ]
    needed: dict[str, float | None] = {}
    revenue = float(revenue_target) if revenue_target is not None else None
    needed["revenue"] = revenue
    deal = float(average_deal) if average_deal else None
    needed["customer"] = (revenue / deal) if revenue is not None and deal else None
    previous = needed["customer"]
    for stage, rate_name in chain[2:]:
        rate = rates.get(rate_name) if rate_name is not None else None
        previous = (previous / rate) if previous is not None and rate else None
        needed[stage] = previous
    rows = []
    for stage, _rate in chain:
        need = needed[stage]
        have = actual.get(stage)
        rows.append(
            {
                "stage": stage,
                "needed": round(need, 1) if need is not None else None,
                "actual": float(have) if have is not None else None,
                "gap": round(need - float(have), 1)
                if need is not None and have is not None
                else None,
            }
        )
    return pd.DataFrame(rows, columns=["stage", "needed", "actual", "gap"])
