"""KPI actuals: the value of each standard measure (``kpis.models.Measure``) over a range.

``ACTUALS`` maps every measure to the function that computes it; a measure added to
``Measure`` without an entry here fails ``tests/kpis/test_selectors.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Literal

from django.db.models import Count, Q

from kpis.models import Measure
from kpis.selectors.durations import speed_to_lead, velocity
from kpis.selectors.groups import STAGE_FIELD
from kpis.selectors.money import cost_per_customer, pipeline_by, totals
from kpis.selectors.slices import ALL_LEADS, Slice


def _stage_volume(stage: str, *, since: dt.datetime, until: dt.datetime, slice: Slice) -> int:
    """Leads that first reached ``stage`` in the range."""
    stamp = STAGE_FIELD[stage]
    return slice.leads().filter(**{f"{stamp}__gte": since, f"{stamp}__lt": until}).count()


def _from_totals(
    key: Literal["customers", "revenue", "win_rate"],
    *,
    since: dt.datetime,
    until: dt.datetime,
    slice: Slice,
) -> float | None:
    """New customers, revenue or win rate, from ``totals``."""
    value = totals(since=since, until=until, slice=slice)[key]
    return float(value) if value is not None else None


def _pipeline(*, since: dt.datetime, until: dt.datetime, slice: Slice) -> float:
    """Expected amount of the open SQLs now, whatever the range."""
    rows = pipeline_by(group_by="total", slice=slice)
    return float(rows[0]["amount"]) if rows else 0.0


def _cohort_conversion(
    source: str, target: str, *, since: dt.datetime, until: dt.datetime, slice: Slice
) -> float | None:
    """Of the MQL cohort of the range, the share at ``target`` among those at ``source``."""
    counts = (
        slice.leads()
        .filter(mql_at__gte=since, mql_at__lt=until)
        .aggregate(
            mql=Count("pk"),
            sal=Count("pk", filter=Q(sal_at__isnull=False)),
            sql=Count("pk", filter=Q(sql_at__isnull=False)),
            customer=Count("pk", filter=Q(won_at__isnull=False)),
        )
    )
    return (counts[target] / counts[source]) if counts[source] else None


def _velocity_to_customer(*, since: dt.datetime, until: dt.datetime, slice: Slice) -> float | None:
    """Median hours from MQL to customer."""
    rows = velocity(since=since, until=until, slice=slice)
    return rows[0]["median_hours"] if rows else None


def _speed_to_lead(
    to: str, *, since: dt.datetime, until: dt.datetime, slice: Slice
) -> float | None:
    """Median hours from hand-over to decision or to first touch."""
    rows = speed_to_lead(since=since, until=until, to=to, slice=slice)
    return rows[0]["median_hours"] if rows else None


def _cost_per_customer(*, since: dt.datetime, until: dt.datetime, slice: Slice) -> float | None:
    value = cost_per_customer(since=since, until=until, slice=slice)["cost_per_customer"]
    return float(value) if value is not None else None


ACTUALS: dict[str, Callable[..., float | None]] = {
    Measure.MQL_VOLUME: partial(_stage_volume, "mql"),
    Measure.SAL_VOLUME: partial(_stage_volume, "sal"),
    Measure.SQL_VOLUME: partial(_stage_volume, "sql"),
    Measure.NEW_CUSTOMERS: partial(_from_totals, "customers"),
    Measure.REVENUE: partial(_from_totals, "revenue"),
    Measure.PIPELINE: _pipeline,
    Measure.WIN_RATE: partial(_from_totals, "win_rate"),
    Measure.MQL_TO_SAL: partial(_cohort_conversion, "mql", "sal"),
    Measure.SAL_TO_SQL: partial(_cohort_conversion, "sal", "sql"),
    Measure.SQL_TO_CUSTOMER: partial(_cohort_conversion, "sql", "customer"),
    Measure.VELOCITY_MQL_TO_CUSTOMER: _velocity_to_customer,
    Measure.SPEED_TO_DECISION: partial(_speed_to_lead, "decision"),
    Measure.SPEED_TO_FIRST_TOUCH: partial(_speed_to_lead, "first_touch"),
    Measure.COST_PER_CUSTOMER: _cost_per_customer,
}


def kpi_actual(
    *, measure: str, since: dt.datetime, until: dt.datetime, slice: Slice = ALL_LEADS
) -> float | None:
    """The value of one standard measure over [since, until) — always from live data."""
    try:
        actual = ACTUALS[measure]
    except KeyError:
        raise ValueError(f"Unknown measure {measure!r}") from None
    return actual(since=since, until=until, slice=slice)
