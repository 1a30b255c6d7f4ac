"""Durations between stages: velocity and speed to lead, as median and 90th percentile hours."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TypedDict

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from kpis import histograms
from kpis.selectors.groups import (
    STAGE_FIELD,
    group_expression,
    group_label,
    is_local_midnight,
    latest_snapshot_run,
)
from kpis.selectors.slices import ALL_LEADS, Slice
from leads.models import Lead
from sla import selectors as sla_selectors

# Without percentile_cont (SQLite), velocity reads at most this many durations.
PERCENTILE_FALLBACK_LIMIT = 100_000


class Durations(TypedDict):
    """How many durations, and their median and 90th percentile in hours (None: none)."""

    count: int
    median_hours: float | None
    p90_hours: float | None


class _GroupDurations(Durations):
    group: object  # the grouped value as the database returns it (None: no grouping)


class DurationRow(TypedDict):
    group: str
    count: int
    median_hours: float | None
    p90_hours: float | None


class SpeedToLeadEffect(TypedDict):
    group: str  # "met" or "breached"
    mql: int
    sal: int
    sql: int
    customer: int
    median_hours_to_customer: float | None


def _percentiles(durations: QuerySet[Lead], group_field: str | None) -> list[_GroupDurations]:
    """Median and 90th percentile of a duration column, per group, in hours.

    PostgreSQL: ``percentile_cont`` over the subquery, one sort per group in the
    database. Elsewhere: the bounded duration column only, interpolated the same way.
    """
    if connection.vendor == "postgresql":
        columns = ["_group", "_duration"] if group_field else ["_duration"]
        inner_sql, params = durations.values_list(*columns).query.sql_with_params()
        group_select = "g, " if group_field else ""
        group_clause = "GROUP BY g ORDER BY g" if group_field else ""
        names = "g, d" if group_field else "d"
        sql = (
            f"SELECT {group_select}count(*), "
            "percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM d)) "
            f"FROM ({inner_sql}) AS durations({names}) {group_clause}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            result: list[_GroupDurations] = []
            for row in cursor.fetchall():
                group, (count, quantiles) = (row[0], row[1:]) if group_field else (None, row)
                if not count:
                    continue  # an aggregate without GROUP BY answers one row, even for nothing
                result.append(
                    {
                        "group": group,
                        "count": count,
                        "median_hours": quantiles[0] / 3600 if quantiles else None,
                        "p90_hours": quantiles[1] / 3600 if quantiles else None,
                    }
                )
            return result
    columns = ["_group", "_duration"] if group_field else ["_duration"]
    values = durations.values_list(*columns)[:PERCENTILE_FALLBACK_LIMIT]
    by_group: dict[object, list[float]] = defaultdict(list)
    for row in values:
        group, duration = (row[0], row[1]) if group_field else (None, row[0])
        if duration is not None:
            by_group[group].append(duration.total_seconds() / 3600)
    result = []
    for group in sorted(by_group, key=lambda value: (value is None, str(value))):
        hours = sorted(by_group[group])
        result.append(
            {
                "group": group,
                "count": len(hours),
                "median_hours": _interpolate(hours, 0.5),
                "p90_hours": _interpolate(hours, 0.9),
            }
        )
    return result


def _interpolate(sorted_values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def velocity(
    *,
    since: dt.datetime,
    until: dt.datetime,
    stage_from: str = "mql",
    stage_to: str = "customer",
    group_by: str = "total",
    slice: Slice = ALL_LEADS,
) -> list[DurationRow]:
    """Median and p90 hours from A to B for the leads that reached A in the range and B since.

    A lead whose B timestamp is earlier than its A timestamp (moved through a
    recycling loop) is left out rather than counted with a negative time.
    """
    start, end = STAGE_FIELD[stage_from], STAGE_FIELD[stage_to]
    durations = slice.leads().filter(
        **{f"{start}__gte": since, f"{start}__lt": until, f"{end}__isnull": False},
        **{f"{end}__gte": F(start)},
    )
    return _durations_by(durations, start=start, end=end, group_by=group_by, stamp=start)


def _durations_by(
    durations: QuerySet[Lead], *, start: str, end: str, group_by: str, stamp: str
) -> list[DurationRow]:
    durations = durations.annotate(
        _duration=ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    )
    if group_by != "total":
        durations = durations.annotate(_group=group_expression(group_by, stamp))
    rows = _percentiles(durations.order_by(), group_field="_group" if group_by != "total" else None)
    return [
        {
            "group": "total" if group_by == "total" else group_label(group_by, row["group"]),
            "count": row["count"],
            "median_hours": row["median_hours"],
            "p90_hours": row["p90_hours"],
        }
        for row in rows
    ]


def speed_to_lead(
    *,
    since: dt.datetime,
    until: dt.datetime,
    to: str = "decision",
    group_by: str = "total",
    slice: Slice = ALL_LEADS,
) -> list[DurationRow]:
    """Hours from hand-over to decision (accept/reject) or to first touch, median and p90.

    The cohort is the leads handed over in the range. A first touch logged before the
    latest hand-over belongs to an earlier one and is left out.
    """
    end = "decided_at" if to == "decision" else "first_touch_at"
    durations = slice.leads().filter(
        handed_over_at__gte=since,
        handed_over_at__lt=until,
        **{f"{end}__isnull": False, f"{end}__gte": F("handed_over_at")},
    )
    return _durations_by(
        durations, start="handed_over_at", end=end, group_by=group_by, stamp="handed_over_at"
    )


def speed_to_lead_effect(
    *, since: dt.datetime, until: dt.datetime, slice: Slice = ALL_LEADS
) -> list[SpeedToLeadEffect]:
    """MQL cohorts split by whether sales breached the SLA on them: counts and velocity.

    The organisation's own cost of slow follow-up: compare conversion and time to
    customer between the breached and the met MQLs.
    """
    breached = sla_selectors.breached_lead_ids()
    result: list[SpeedToLeadEffect] = []
    for label, condition in (("met", ~Q(id__in=breached)), ("breached", Q(id__in=breached))):
        cohort = slice.leads().filter(condition, mql_at__gte=since, mql_at__lt=until)
        counts = cohort.aggregate(
            mql=Count("pk"),
            sal=Count("pk", filter=Q(sal_at__isnull=False)),
            sql=Count("pk", filter=Q(sql_at__isnull=False)),
            customer=Count("pk", filter=Q(won_at__isnull=False)),
        )
        speed = _durations_by(
            cohort.filter(won_at__isnull=False, won_at__gte=F("mql_at")),
            start="mql_at",
            end="won_at",
            group_by="total",
            stamp="mql_at",
        )
        result.append(
            {
                "group": label,
                "mql": counts["mql"],
                "sal": counts["sal"],
                "sql": counts["sql"],
                "customer": counts["customer"],
                "median_hours_to_customer": speed[0]["median_hours"] if speed else None,
            }
        )
    return result


def durations_summary(
    *, names: list[str], since: dt.datetime, until: dt.datetime, slice: Slice = ALL_LEADS
) -> dict[str, Durations]:
    """Median and p90 hours of durations (kpis.histograms.DURATIONS) for the dashboards.

    For all leads, read off the daily histograms (within a bucket's width, a few
    percent); for a filtered slice, exact from the live rows (percentile_cont).
    """
    run = latest_snapshot_run()
    if run is not None and slice.snapshot_group() == "" and is_local_midnight(since):
        merged = histograms.histograms(
            names=names, since=since, until=until, leads=slice.leads(), run=run
        )
        return {
            name: {
                "count": sum(counts.values()),
                "median_hours": histograms.percentile(counts, 0.5),
                "p90_hours": histograms.percentile(counts, 0.9),
            }
            for name, counts in merged.items()
        }
    result: dict[str, Durations] = {}
    for name in names:
        if name in ("decision", "first_touch"):
            rows = speed_to_lead(since=since, until=until, to=name, slice=slice)
        else:
            stage_from, stage_to = name.split("_")
            rows = velocity(
                since=since, until=until, stage_from=stage_from, stage_to=stage_to, slice=slice
            )
        result[name] = (
            {
                "count": rows[0]["count"],
                "median_hours": rows[0]["median_hours"],
                "p90_hours": rows[0]["p90_hours"],
            }
            if rows
            else {"count": 0, "median_hours": None, "p90_hours": None}
        )
    return result
