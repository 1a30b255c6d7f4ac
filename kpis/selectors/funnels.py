"""The funnel: MQL → SAL → SQL → customer counts per group, cohort or period view.

Closed days come from the daily snapshot (``KpiSnapshot``); only the days since the last
snapshot, plus the few leads that moved since, come from the live table; see ``funnel``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kpis.models import KpiSnapshot, SnapshotRun
from kpis.selectors.groups import (
    STAGE_FIELD,
    STAGES,
    TIME_GROUPS,
    group_expression,
    group_label,
    is_local_midnight,
    latest_snapshot_run,
    time_buckets,
)
from kpis.selectors.slices import ALL_LEADS, Slice, campaign_choices


class FunnelRow(TypedDict):
    """One group's leads at each stage (STAGES)."""

    group: str
    mql: int
    sal: int
    sql: int
    customer: int


@dataclass
class FunnelRows:
    """Counts per group, in group order; ``rows`` holds dicts of group + stage counts."""

    rows: list[FunnelRow] = field(default_factory=list)
    from_snapshot: bool = False


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(STAGES, 0)


def _row(label: str, counts: dict[str, int]) -> FunnelRow:
    return {
        "group": label,
        "mql": counts["mql"],
        "sal": counts["sal"],
        "sql": counts["sql"],
        "customer": counts["customer"],
    }


# ``counts``: a values() row or {stage: n}, its numbers counted or summed by the database.
def _merge(target: dict[str, dict[str, int]], label: str, counts: Mapping[str, Any]) -> None:
    bucket = target.setdefault(label, _empty_counts())
    for stage in STAGES:
        bucket[stage] += int(counts.get(stage) or 0)


def _ordered_rows(
    counts: dict[str, dict[str, int]], group_by: str, since: dt.datetime, until: dt.datetime
) -> list[FunnelRow]:
    if group_by in TIME_GROUPS:
        labels = time_buckets(group_by, since, until)
    else:
        labels = sorted(counts, key=lambda label: (-counts[label]["mql"], label))
    return [_row(label, counts.get(label, _empty_counts())) for label in labels]


def funnel(
    *,
    since: dt.datetime,
    until: dt.datetime,
    view: str = "cohort",
    group_by: str = "month",
    slice: Slice = ALL_LEADS,  # noqa: A002 - the domain's word for a filtered view
    use_snapshots: bool = True,
) -> FunnelRows:
    """MQL → SAL → SQL → customer counts per group, for the cohort or the period view.

    Cohort view: the leads whose ``mql_at`` is in the range, grouped (by the month of
    ``mql_at`` for month), counted by the stages they have reached since.
    Period view: per group, how many leads first entered each stage in the range
    (each timestamp counted on its own, in its own month).

    Days before the last snapshot's ``as_of`` come from ``KpiSnapshot``; the rest, and
    the closed cohorts' leads that moved after ``as_of``, come from the live table. The
    first-reached timestamps are set once and never change, so the sum is exact.
    """
    run = latest_snapshot_run() if use_snapshots else None
    snapshot_group = slice.snapshot_group()
    can_use_snapshot = (
        run is not None
        and snapshot_group is not None
        and group_by != "campaign"
        and (group_by in TIME_GROUPS or group_by == "total" or snapshot_group == "")
        and since < run.as_of
        and is_local_midnight(since)
        and (until >= run.as_of or is_local_midnight(until))
    )
    counts: dict[str, dict[str, int]] = {}
    if group_by == "campaign":
        return FunnelRows(
            rows=_funnel_by_campaign(since=since, until=until, view=view, slice=slice)
        )
    if not can_use_snapshot:
        _funnel_live(counts, since=since, until=until, view=view, group_by=group_by, slice=slice)
        return FunnelRows(rows=_ordered_rows(counts, group_by, since, until))

    # can_use_snapshot checked both.
    assert run is not None
    assert snapshot_group is not None
    split = min(until, run.as_of)
    _funnel_from_snapshot(
        counts, since=since, split=split, view=view, group_by=group_by, group=snapshot_group
    )
    if view == "cohort":
        _cohort_moved_since(
            counts, since=since, split=split, run=run, group_by=group_by, slice=slice
        )
    if split < until:
        _funnel_live(counts, since=split, until=until, view=view, group_by=group_by, slice=slice)
    return FunnelRows(rows=_ordered_rows(counts, group_by, since, until), from_snapshot=True)


def _funnel_live(
    counts: dict[str, dict[str, int]],
    *,
    since: dt.datetime,
    until: dt.datetime,
    view: str,
    group_by: str,
    slice: Slice,  # noqa: A002 - the domain's word for a filtered view
) -> None:
    leads = slice.leads()
    if view == "cohort":
        cohort = leads.filter(mql_at__gte=since, mql_at__lt=until)
        rows = (
            cohort.values(group=group_expression(group_by, "mql_at"))
            .annotate(
                mql=Count("pk"),
                sal=Count("pk", filter=Q(sal_at__isnull=False)),
                sql=Count("pk", filter=Q(sql_at__isnull=False)),
                customer=Count("pk", filter=Q(won_at__isnull=False)),
            )
            .order_by()
        )
        for row in rows:
            _merge(counts, group_label(group_by, row["group"]), row)
        return
    for stage in STAGES:
        stamp = STAGE_FIELD[stage]
        entered = (
            leads.filter(**{f"{stamp}__gte": since, f"{stamp}__lt": until})
            .values(group=group_expression(group_by, stamp))
            .annotate(n=Count("pk"))
            .order_by()
        )
        for entered_row in entered:
            _merge(counts, group_label(group_by, entered_row["group"]), {stage: entered_row["n"]})


def _funnel_from_snapshot(
    counts: dict[str, dict[str, int]],
    *,
    since: dt.datetime,
    split: dt.datetime,
    view: str,
    group_by: str,
    group: str,
) -> None:
    prefix = "cohort_" if view == "cohort" else "entered_"
    first_day = timezone.localtime(since).date()
    last_day = timezone.localtime(split).date()  # exclusive: split is a local midnight
    rows = KpiSnapshot.objects.filter(
        measure__in=[prefix + stage for stage in STAGES], day__gte=first_day, day__lt=last_day
    )
    if group_by in TIME_GROUPS or group_by == "total":
        rows = rows.filter(group=group)
        # "total" is summed from months too: grouping by month keeps PostgreSQL on the
        # index-only scan, where a bare GROUP BY measure tempts it into a parallel seq scan.
        grouped = rows.values("measure", bucket=TIME_GROUPS.get(group_by, TruncMonth)("day"))
    else:
        rows = rows.filter(group__startswith=f"{group_by}:")
        grouped = rows.values("measure", bucket=F("group"))
    for row in grouped.annotate(total=Sum("value")).order_by():
        stage = row["measure"].removeprefix(prefix)
        if group_by == "total":
            label = "total"
        elif group_by in TIME_GROUPS:
            label = group_label(group_by, row["bucket"])
        else:
            label = row["bucket"].split(":", 1)[1]
            if group_by == "owner" and label == "None":
                label = ""
        _merge(counts, label, {stage: row["total"]})


def _cohort_moved_since(
    counts: dict[str, dict[str, int]],
    *,
    since: dt.datetime,
    split: dt.datetime,
    run: SnapshotRun,
    group_by: str,
    slice: Slice,  # noqa: A002 - the domain's word for a filtered view
) -> None:
    """Closed cohorts' leads that reached SAL, SQL or customer after the snapshot."""
    as_of = run.as_of
    moved = slice.leads().filter(
        Q(sal_at__gte=as_of) | Q(sql_at__gte=as_of) | Q(won_at__gte=as_of),
        mql_at__gte=since,
        mql_at__lt=split,
    )
    rows = (
        moved.values(group=group_expression(group_by, "mql_at"))
        .annotate(
            sal=Count("pk", filter=Q(sal_at__gte=as_of)),
            sql=Count("pk", filter=Q(sql_at__gte=as_of)),
            customer=Count("pk", filter=Q(won_at__gte=as_of)),
        )
        .order_by()
    )
    for row in rows:
        _merge(counts, group_label(group_by, row["group"]), row)


def _funnel_by_campaign(
    *,
    since: dt.datetime,
    until: dt.datetime,
    view: str,
    slice: Slice,  # noqa: A002 - the domain's word for a filtered view
) -> list[FunnelRow]:
    """One funnel row per campaign with touched leads (a lead can count for several)."""
    rows: list[FunnelRow] = []
    for campaign in campaign_choices():
        campaign_slice = Slice(**{**slice.__dict__, "campaign_id": campaign["id"]})
        counts: dict[str, dict[str, int]] = {}
        _funnel_live(
            counts, since=since, until=until, view=view, group_by="total", slice=campaign_slice
        )
        total = counts.get("total", _empty_counts())
        if any(total.values()):
            rows.append(_row(campaign["name"], total))
    rows.sort(key=lambda row: (-row["mql"], row["group"]))
    return rows
