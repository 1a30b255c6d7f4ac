"""Money and deals: revenue and new customers per period, totals, win rate, pipeline, cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypedDict

from django.db.models import Avg, Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from kpis.models import KpiSnapshot
from kpis.selectors.groups import (
    TIME_GROUPS,
    group_expression,
    group_label,
    is_local_midnight,
    latest_snapshot_run,
    time_buckets,
)
from kpis.selectors.slices import ALL_LEADS, Slice
from leads.models import Stage


class RevenuePeriod(TypedDict):
    period: str
    revenue: Decimal
    customers: int


class _RevenueTally(TypedDict):
    revenue: Decimal
    customers: int


class Totals(TypedDict):
    revenue: Decimal
    customers: int
    average_deal: Decimal | None
    lost: int
    win_rate: float | None


class PipelineGroup(TypedDict):
    group: str
    deals: int
    amount: Decimal


class CostPerCustomer(TypedDict):
    spend: Decimal
    customers: int
    cost_per_customer: Decimal | None


def revenue_by_period(
    *, since: dt.datetime, until: dt.datetime, period: str = "month", slice: Slice = ALL_LEADS
) -> list[RevenuePeriod]:
    """Won amount and new customers per period, by the local date the lead was won.

    Closed days come from the snapshot when it holds this slice; days since, live.
    """
    found: dict[str, _RevenueTally] = {}

    def add(label: str, revenue: Decimal | int | None, customers: int | None) -> None:
        entry = found.setdefault(label, {"revenue": Decimal("0"), "customers": 0})
        entry["revenue"] += Decimal(revenue or 0)
        entry["customers"] += int(customers or 0)

    run = latest_snapshot_run()
    group = slice.snapshot_group()
    live_since = since
    if run is not None and group is not None and since < run.as_of and is_local_midnight(since):
        live_since = min(until, run.as_of)
        if until < run.as_of and not is_local_midnight(until):
            live_since = since
    if live_since > since:
        rows = (
            KpiSnapshot.objects.filter(
                group=group,
                measure__in=["revenue", "entered_customer"],
                day__gte=timezone.localtime(since).date(),
                day__lt=timezone.localtime(live_since).date(),
            )
            .values("measure", bucket=TIME_GROUPS[period]("day"))
            .annotate(total=Sum("value"))
            .order_by()
        )
        for row in rows:
            label = group_label(period, row["bucket"])
            if row["measure"] == "revenue":
                add(label, row["total"], 0)
            else:
                add(label, 0, row["total"])
    if live_since < until:
        live_rows = (
            slice.leads()
            .filter(won_at__gte=live_since, won_at__lt=until)
            .values(bucket=TIME_GROUPS[period]("won_at"))
            .annotate(revenue=Coalesce(Sum("won_amount"), Decimal("0")), customers=Count("pk"))
            .order_by()
        )
        for live_row in live_rows:
            add(group_label(period, live_row["bucket"]), live_row["revenue"], live_row["customers"])
    empty: _RevenueTally = {"revenue": Decimal("0"), "customers": 0}
    return [
        {
            "period": label,
            "revenue": found.get(label, empty)["revenue"],
            "customers": found.get(label, empty)["customers"],
        }
        for label in time_buckets(period, since, until)
    ]


def totals(*, since: dt.datetime, until: dt.datetime, slice: Slice = ALL_LEADS) -> Totals:
    """Revenue, new customers, average deal size and win rate in the range."""
    leads = slice.leads()
    won = leads.filter(won_at__gte=since, won_at__lt=until).aggregate(
        revenue=Coalesce(Sum("won_amount"), Decimal("0")),
        customers=Count("pk"),
        average_deal=Avg("won_amount"),
    )
    lost = leads.filter(
        stage=Stage.LOST,
        close_date__gte=timezone.localtime(since).date(),
        close_date__lt=timezone.localtime(until).date(),
    ).count()
    decided = won["customers"] + lost
    return {
        "revenue": won["revenue"],
        "customers": won["customers"],
        "average_deal": won["average_deal"],
        "lost": lost,
        "win_rate": (won["customers"] / decided) if decided else None,
    }


def pipeline_by(*, group_by: str = "total", slice: Slice = ALL_LEADS) -> list[PipelineGroup]:
    """Open SQLs now: count and expected amount, per group (owner, source…)."""
    rows = (
        slice.leads()
        .filter(stage=Stage.SQL)
        .values(group=group_expression(group_by, "sql_at"))
        .annotate(deals=Count("pk"), amount=Coalesce(Sum("expected_amount"), Decimal("0")))
        .order_by("-amount")
    )
    return [{**row, "group": group_label(group_by, row["group"])} for row in rows]


def cost_per_customer(
    *, since: dt.datetime, until: dt.datetime, slice: Slice = ALL_LEADS
) -> CostPerCustomer:
    """Campaign spend in the range divided by the customers won in it (None without either)."""
    campaign_ids = [slice.campaign_id] if slice.campaign_id is not None else None
    spend = campaign_selectors.spend_between(since=since, until=until, campaign_ids=campaign_ids)
    customers = slice.leads().filter(won_at__gte=since, won_at__lt=until).count()
    spend = Decimal(spend or 0)
    return {
        "spend": spend,
        "customers": customers,
        "cost_per_customer": (spend / customers) if customers and spend else None,
    }
