"""What every panel is made of: the page's ``Range``, the ``Panel`` and helpers they share.

A panel is a DataFrame plus the chart drawn from it; the page shows the chart and the
same frame as a table, and the CSV export writes the same frame. That is how "the CSV
equals the chart" holds by construction (and the tests check it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import pandas as pd
import plotly.graph_objects as go

from accounts.models import User
from kpis import analytics, charts, histograms, selectors
from kpis.models import KpiDefinition, KpiTarget
from kpis.periods import period_start
from kpis.selectors import Slice
from kpis.selectors.durations import Durations
from kpis.selectors.money import RevenuePeriod


@dataclass(frozen=True)
class Range:
    """One page's dates and filters, and the results its panels share."""

    since: dt.datetime
    until: dt.datetime
    slice: Slice
    view: str = "cohort"
    # Results shared by several panels of one page (one request), e.g. revenue rows.
    memo: dict = field(default_factory=dict, compare=False, hash=False)

    def revenue_rows(self) -> list[RevenuePeriod]:
        if "revenue" not in self.memo:
            self.memo["revenue"] = selectors.revenue_by_period(
                since=self.since, until=self.until, period="month", slice=self.slice
            )
        return self.memo["revenue"]

    def durations(self) -> dict[str, Durations]:
        """Velocity and speed-to-lead summaries, read together (one snapshot query)."""
        if "durations" not in self.memo:
            self.memo["durations"] = selectors.durations_summary(
                names=list(histograms.DURATIONS),
                since=self.since,
                until=self.until,
                slice=self.slice,
            )
        return self.memo["durations"]


@dataclass
class Panel:
    key: str
    title: str
    frame: pd.DataFrame
    figure: go.Figure | None
    # column → (heading, format) with format among count, money, percent, hours, text
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    note: str = ""
    empty: bool = False

    def chart_html(self) -> str:
        return charts.to_html(self.figure) if self.figure is not None and not self.empty else ""

    @cached_property
    def table_rows(self) -> list[list[tuple[object, str]]]:
        return [
            [(row.get(column), kind) for column, (_heading, kind) in self.columns.items()]
            for row in analytics.records(self.frame)
        ]

    def csv_table(self) -> tuple[list[str], list[list[object]]]:
        """The panel's table for a CSV download: column labels, then rows of values."""
        frame = self.frame[list(self.columns)] if self.columns else self.frame
        header = [self.columns[key][0] if key in self.columns else key for key in frame.columns]
        rows = [
            [None if pd.isna(value) else value for value in record]  # NaN → empty cell
            for record in frame.itertuples(index=False, name=None)
        ]
        return header, rows


FUNNEL_COLUMNS = {
    "group": ("Group", "text"),
    "mql": ("MQL", "count"),
    "sal": ("SAL", "count"),
    "sql": ("SQL", "count"),
    "customer": ("Customer", "count"),
    "mql_to_sal": ("MQL → SAL", "percent"),
    "sal_to_sql": ("SAL → SQL", "percent"),
    "sql_to_customer": ("SQL → customer", "percent"),
}


def owner_names(ids) -> dict[str, str]:
    """Display names of the owners behind group values (user ids as strings)."""
    users = User.objects.filter(pk__in=[int(i) for i in ids if str(i).isdigit()])
    return {str(user.pk): str(user) for user in users}


def monthly_targets(measure: str, since: dt.datetime, until: dt.datetime) -> dict[str, Decimal]:
    """Monthly targets of the first unfiltered KPI on ``measure``, by "YYYY-MM"."""
    kpi = KpiDefinition.objects.filter(measure=measure, period="month", filters={}).first()
    if kpi is None:
        return {}
    first = period_start("month", since.date())
    rows = KpiTarget.objects.filter(kpi=kpi, period_start__gte=first, period_start__lt=until.date())
    return {row.period_start.strftime("%Y-%m"): row.value for row in rows}
