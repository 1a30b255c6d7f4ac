"""Reads for shared KPIs: every standard measure as a SQL aggregate, never whole tables.

Each selector takes a time range ``[since, until)`` of aware datetimes (local midnights
in ``settings.TIME_ZONE`` when they come from dates) and a ``Slice`` (the filters), and
returns a short list of dicts — one per group — for ``kpis.analytics`` to shape.

Time groups (week, month, quarter) use Django's ``Trunc*`` in the current time zone, which
is ``settings.TIME_ZONE``: a lead that became an MQL at 23:30 UTC on 31 January belongs to
February in Europe/Berlin.

The funnel reads closed days from the daily snapshot (``KpiSnapshot``) and only the days
since the last snapshot, plus the few leads that moved since, from the live table; see
``funnel``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign
from kpis import histograms
from kpis.models import KpiSnapshot, SnapshotRun
from leads.models import Lead, LeadStageChange, ReasonCode, Stage
from sla import selectors as sla_selectors
from smarketing.cache import cached_panel

# The funnel's stages and the timestamp that says a lead first reached each one.
STAGES = ("mql", "sal", "sql", "customer")
STAGE_FIELD = {"mql": "mql_at", "sal": "sal_at", "sql": "sql_at", "customer": "won_at"}

TIME_GROUPS = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}
# Lead attribute behind each slice dimension.
DIMENSION_FIELD = {
    "source": "source",
    "segment": "segment",
    "region": "region",
    "owner": "owner_id",
    "team": "owner__team_id",
}
GROUP_BYS = (*TIME_GROUPS, *DIMENSION_FIELD, "campaign", "total")

# Without percentile_cont (SQLite), velocity reads at most this many durations.
PERCENTILE_FALLBACK_LIMIT = 100_000


@dataclass(frozen=True)
class Slice:
    """Filters on the leads a measure counts: segment, region, source, team, campaign, owner.

    Empty values mean "all". ``team_id`` is the owner's team (sellers are always
    sliced to their own team by ``kpis.permissions``).
    """

    segment: str = ""
    region: str = ""
    source: str = ""
    team_id: int | None = None
    campaign_id: int | None = None
    owner_id: int | None = None

    def apply(self, leads: QuerySet[Lead]) -> QuerySet[Lead]:
        if self.segment:
            leads = leads.filter(segment=self.segment)
        if self.region:
            leads = leads.filter(region=self.region)
        if self.source:
            leads = leads.filter(source=self.source)
        if self.team_id is not None:
            leads = leads.filter(owner__team_id=self.team_id)
        if self.owner_id is not None:
            leads = leads.filter(owner_id=self.owner_id)
        if self.campaign_id is not None:
            leads = leads.filter(id__in=campaign_selectors.lead_ids_touched_by(self.campaign_id))
        return leads

    def leads(self) -> QuerySet[Lead]:
        return self.apply(Lead.objects.all())

    @property
    def active(self) -> dict[str, object]:
        return {
            key: value
            for key, value in (
                ("segment", self.segment),
                ("region", self.region),
                ("source", self.source),
                ("team", self.team_id),
                ("owner", self.owner_id),
                ("campaign", self.campaign_id),
            )
            if value not in ("", None)
        }

    def snapshot_group(self) -> str | None:
        """The snapshot ``group`` that holds exactly this slice, or None when none does."""
        active = self.active
        if not active:
            return ""
        if len(active) == 1:
            ((key, value),) = active.items()
            if key in DIMENSION_FIELD:
                return f"{key}:{value}"
        return None


@dataclass
class FunnelRows:
    """Counts per group, in group order; ``rows`` holds dicts of group + stage counts."""

    rows: list[dict] = field(default_factory=list)
    from_snapshot: bool = False


# --- helpers -------------------------------------------------------------------------


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware datetime at which ``day`` begins in the configured time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _is_local_midnight(moment: dt.datetime) -> bool:
    return timezone.localtime(moment).time() == dt.time.min


def group_label(group_by: str, value) -> str:
    """How a group shows in tables, the API and CSV: "2026-01", "2026-Q1", "web form"."""
    if group_by in TIME_GROUPS:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if group_by == "month":
            return value.strftime("%Y-%m")
        if group_by == "quarter":
            return f"{value.year}-Q{(value.month - 1) // 3 + 1}"
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def _group_expression(group_by: str, stamp_field: str):
    if group_by in TIME_GROUPS:
        return TIME_GROUPS[group_by](stamp_field)
    if group_by == "total":
        return Value("total")
    return F(DIMENSION_FIELD[group_by])


def _time_buckets(group_by: str, since: dt.datetime, until: dt.datetime) -> list[str]:
    """Every week/month/quarter label in the range, so empty periods show as zero rows."""
    labels: list[str] = []
    day = timezone.localtime(since).date()
    last = timezone.localtime(until - dt.timedelta(microseconds=1)).date()
    while day <= last:
        label = group_label(group_by, day)
        if not labels or labels[-1] != label:
            labels.append(label)
        day += dt.timedelta(days=1)
    return labels


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(STAGES, 0)


def _merge(target: dict[str, dict[str, int]], label: str, counts: dict) -> None:
    bucket = target.setdefault(label, _empty_counts())
    for stage in STAGES:
        bucket[stage] += int(counts.get(stage) or 0)


def _ordered_rows(
    counts: dict[str, dict[str, int]], group_by: str, since, until
) -> list[dict[str, object]]:
    if group_by in TIME_GROUPS:
        labels = _time_buckets(group_by, since, until)
    else:
        labels = sorted(counts, key=lambda label: (-counts[label]["mql"], label))
    return [{"group": label, **counts.get(label, _empty_counts())} for label in labels]


# --- the funnel ----------------------------------------------------------------------


def funnel(
    *,
    since: dt.datetime,
    until: dt.datetime,
    view: str = "cohort",
    group_by: str = "month",
    slice: Slice = Slice(),  # noqa: A002 - the domain's word for a filtered view
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
        and _is_local_midnight(since)
        and (until >= run.as_of or _is_local_midnight(until))
    )
    counts: dict[str, dict[str, int]] = {}
    if group_by == "campaign":
        return FunnelRows(
            rows=_funnel_by_campaign(since=since, until=until, view=view, slice=slice)
        )
    if not can_use_snapshot:
        _funnel_live(counts, since=since, until=until, view=view, group_by=group_by, slice=slice)
        return FunnelRows(rows=_ordered_rows(counts, group_by, since, until))

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


def _funnel_live(counts, *, since, until, view, group_by, slice) -> None:
    leads = slice.leads()
    if view == "cohort":
        cohort = leads.filter(mql_at__gte=since, mql_at__lt=until)
        rows = (
            cohort.values(group=_group_expression(group_by, "mql_at"))
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
        rows = (
            leads.filter(**{f"{stamp}__gte": since, f"{stamp}__lt": until})
            .values(group=_group_expression(group_by, stamp))
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            _merge(counts, group_label(group_by, row["group"]), {stage: row["n"]})


def _funnel_from_snapshot(counts, *, since, split, view, group_by, group) -> None:
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


def _cohort_moved_since(counts, *, since, split, run, group_by, slice) -> None:
    """Closed cohorts' leads that reached SAL, SQL or customer after the snapshot."""
    as_of = run.as_of
    moved = slice.leads().filter(
        Q(sal_at__gte=as_of) | Q(sql_at__gte=as_of) | Q(won_at__gte=as_of),
        mql_at__gte=since,
        mql_at__lt=split,
    )
    rows = (
        moved.values(group=_group_expression(group_by, "mql_at"))
        .annotate(
            sal=Count("pk", filter=Q(sal_at__gte=as_of)),
            sql=Count("pk", filter=Q(sql_at__gte=as_of)),
            customer=Count("pk", filter=Q(won_at__gte=as_of)),
        )
        .order_by()
    )
    for row in rows:
        _merge(counts, group_label(group_by, row["group"]), row)


def _funnel_by_campaign(*, since, until, view, slice) -> list[dict]:
    """One funnel row per campaign with touched leads (a lead can count for several)."""
    rows = []
    for campaign in campaign_choices():
        campaign_slice = Slice(**{**slice.__dict__, "campaign_id": campaign["id"]})
        counts: dict[str, dict[str, int]] = {}
        _funnel_live(
            counts, since=since, until=until, view=view, group_by="total", slice=campaign_slice
        )
        total = counts.get("total", _empty_counts())
        if any(total.values()):
            rows.append({"group": campaign["name"], **total})
    rows.sort(key=lambda row: (-row["mql"], row["group"]))
    return rows


def latest_snapshot_run() -> SnapshotRun | None:
    """The newest finished snapshot run in the configured time zone."""
    return (
        SnapshotRun.objects.filter(time_zone=settings.TIME_ZONE, finished_at__isnull=False)
        .order_by("-as_of")
        .first()
    )


# --- volume, revenue, pipeline, win rate ---------------------------------------------


def revenue_by_period(
    *, since: dt.datetime, until: dt.datetime, period: str = "month", slice: Slice = Slice()
) -> list[dict]:
    """Won amount and new customers per period, by the local date the lead was won.

    Closed days come from the snapshot when it holds this slice; days since, live.
    """
    found: dict[str, dict] = {}

    def add(label: str, revenue, customers) -> None:
        entry = found.setdefault(label, {"revenue": Decimal("0"), "customers": 0})
        entry["revenue"] += Decimal(revenue or 0)
        entry["customers"] += int(customers or 0)

    run = latest_snapshot_run()
    group = slice.snapshot_group()
    live_since = since
    if run is not None and group is not None and since < run.as_of and _is_local_midnight(since):
        live_since = min(until, run.as_of)
        if until < run.as_of and not _is_local_midnight(until):
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
        rows = (
            slice.leads()
            .filter(won_at__gte=live_since, won_at__lt=until)
            .values(bucket=TIME_GROUPS[period]("won_at"))
            .annotate(revenue=Coalesce(Sum("won_amount"), Decimal("0")), customers=Count("pk"))
            .order_by()
        )
        for row in rows:
            add(group_label(period, row["bucket"]), row["revenue"], row["customers"])
    return [
        {
            "period": label,
            "revenue": found.get(label, {}).get("revenue", Decimal("0")),
            "customers": found.get(label, {}).get("customers", 0),
        }
        for label in _time_buckets(period, since, until)
    ]


def durations_summary(
    *, names: list[str], since: dt.datetime, until: dt.datetime, slice: Slice = Slice()
) -> dict[str, dict]:
    """Median and p90 hours of durations (kpis.histograms.DURATIONS) for the dashboards.

    For all leads, read off the daily histograms (within a bucket's width, a few
    percent); for a filtered slice, exact from the live rows (percentile_cont).
    """
    run = latest_snapshot_run()
    if run is not None and slice.snapshot_group() == "" and _is_local_midnight(since):
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
    result = {}
    for name in names:
        if name in ("decision", "first_touch"):
            rows = speed_to_lead(since=since, until=until, to=name, slice=slice)
        else:
            stage_from, stage_to = name.split("_")
            rows = velocity(
                since=since, until=until, stage_from=stage_from, stage_to=stage_to, slice=slice
            )
        result[name] = (
            {key: rows[0][key] for key in ("count", "median_hours", "p90_hours")}
            if rows
            else {"count": 0, "median_hours": None, "p90_hours": None}
        )
    return result


def totals(*, since: dt.datetime, until: dt.datetime, slice: Slice = Slice()) -> dict:
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
        **won,
        "lost": lost,
        "win_rate": (won["customers"] / decided) if decided else None,
    }


def pipeline_by(*, group_by: str = "total", slice: Slice = Slice()) -> list[dict]:
    """Open SQLs now: count and expected amount, per group (owner, source…)."""
    rows = (
        slice.leads()
        .filter(stage=Stage.SQL)
        .values(group=_group_expression(group_by, "sql_at"))
        .annotate(deals=Count("pk"), amount=Coalesce(Sum("expected_amount"), Decimal("0")))
        .order_by("-amount")
    )
    return [{**row, "group": group_label(group_by, row["group"])} for row in rows]


def cost_per_customer(*, since: dt.datetime, until: dt.datetime, slice: Slice = Slice()) -> dict:
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


# --- velocity and speed to lead ------------------------------------------------------


def _percentiles(durations: QuerySet, group_field: str | None) -> list[dict]:
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
            result = []
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
    slice: Slice = Slice(),
) -> list[dict]:
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


def _durations_by(durations, *, start: str, end: str, group_by: str, stamp: str) -> list[dict]:
    durations = durations.annotate(
        _duration=ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    )
    if group_by != "total":
        durations = durations.annotate(_group=_group_expression(group_by, stamp))
    rows = _percentiles(durations.order_by(), group_field="_group" if group_by != "total" else None)
    for row in rows:
        row["group"] = "total" if group_by == "total" else group_label(group_by, row["group"])
    return rows


def speed_to_lead(
    *,
    since: dt.datetime,
    until: dt.datetime,
    to: str = "decision",
    group_by: str = "total",
    slice: Slice = Slice(),
) -> list[dict]:
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
    *, since: dt.datetime, until: dt.datetime, slice: Slice = Slice()
) -> list[dict]:
    """MQL cohorts split by whether sales breached the SLA on them: counts and velocity.

    The organisation's own cost of slow follow-up: compare conversion and time to
    customer between the breached and the met MQLs.
    """
    breached = sla_selectors.breached_lead_ids()
    result = []
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
                **counts,
                "median_hours_to_customer": speed[0]["median_hours"] if speed else None,
            }
        )
    return result


# --- SLA, campaigns, marketing and sales views ----------------------------------------


def sla_compliance(*, since: dt.datetime, until: dt.datetime) -> dict[str, float | None]:
    """Share of SLA obligations met per side (marketing, sales); None when there were none.

    Cached per range until the next write that can change it (smarketing/cache.py): it
    scans every SLA clock of the range, the dashboard's second-costliest query at 1M leads.
    """
    return cached_panel(
        "sla_compliance",
        (since.isoformat(), until.isoformat()),
        lambda: sla_selectors.compliance_by_side(since=since, until=until),
    )


def top_campaigns(*, since: dt.datetime, until: dt.datetime, limit: int = 5) -> list[dict]:
    """Campaigns by attributed revenue, with spend and ROI (from the campaigns area).

    Cached like sla_compliance: U-shaped attribution over every touch of the range is
    the dashboard's costliest query (0.3 s of 1 s at 1M leads and 2.8M touches).
    """
    return cached_panel(
        "top_campaigns",
        (since.isoformat(), until.isoformat(), limit),
        lambda: list(campaign_selectors.top_campaigns(since=since, until=until, limit=limit)),
    )


def acceptance_by(
    *, since: dt.datetime, until: dt.datetime, group_by: str = "source", slice: Slice = Slice()
) -> list[dict]:
    """Of the MQLs handed over in the range, how many sales accepted and rejected, per group.

    Acceptance rate = accepted ÷ (accepted + rejected); MQLs still waiting count in
    neither. A lead rejected, recycled and later accepted counts as accepted.
    """
    if group_by == "campaign":
        rows = []
        for campaign in campaign_choices():
            campaign_slice = Slice(**{**slice.__dict__, "campaign_id": campaign["id"]})
            counted = acceptance_by(
                since=since, until=until, group_by="total", slice=campaign_slice
            )
            if counted and counted[0]["mql"]:
                rows.append({**counted[0], "group": campaign["name"]})
        return rows
    rejected_ids = LeadStageChange.objects.filter(action="reject").values("lead_id")
    rows = (
        slice.leads()
        .filter(mql_at__gte=since, mql_at__lt=until)
        .values(group=_group_expression(group_by, "mql_at"))
        .annotate(
            mql=Count("pk"),
            accepted=Count("pk", filter=Q(sal_at__isnull=False)),
            rejected=Count("pk", filter=Q(sal_at__isnull=True, id__in=rejected_ids)),
        )
        .order_by("-mql")
    )
    return [{**row, "group": group_label(group_by, row["group"])} for row in rows]


def rejection_reasons(
    *, since: dt.datetime, until: dt.datetime, slice: Slice = Slice()
) -> list[dict]:
    """Rejections recorded in the range, per reason code, most frequent first."""
    leads = slice.leads().values("id")
    rows = (
        LeadStageChange.objects.filter(action="reject", created_at__gte=since, created_at__lt=until)
        .filter(lead_id__in=leads)
        .values("reason_code")
        .annotate(rejections=Count("pk"))
        .order_by("-rejections", "reason_code")
    )
    labels = dict(ReasonCode.objects.values_list("code", "label"))
    return [
        {
            "reason_code": row["reason_code"],
            "reason": labels.get(row["reason_code"], row["reason_code"] or "—"),
            "rejections": row["rejections"],
        }
        for row in rows
    ]


def compliance_by_seller(
    *, since: dt.datetime, until: dt.datetime, slice: Slice = Slice()
) -> list[dict]:
    """Per seller: MQLs handed over in the range, and how many had no sales breach."""
    breached = sla_selectors.breached_lead_ids()
    rows = (
        slice.leads()
        .filter(handed_over_at__gte=since, handed_over_at__lt=until, owner__isnull=False)
        .values("owner_id")
        .annotate(
            handed_over=Count("pk"),
            breached=Count("pk", filter=Q(id__in=breached)),
        )
        .order_by("owner_id")
    )
    return [
        {
            "owner_id": row["owner_id"],
            "handed_over": row["handed_over"],
            "met": row["handed_over"] - row["breached"],
            "compliance": (row["handed_over"] - row["breached"]) / row["handed_over"],
        }
        for row in rows
    ]


# --- choices for the filters ----------------------------------------------------------


def campaign_choices() -> list[dict]:
    """Campaigns as ``{"id", "name"}``, by name (the campaign filter and the campaign groups)."""
    return list(Campaign.objects.order_by("name").values("id", "name"))


def distinct_values(field_name: str) -> list[str]:
    """Distinct non-blank values of a lead attribute (segment, region, source), sorted.

    The last snapshot run lists them, so the filter bar never scans the leads table;
    without a snapshot (a fresh database), a bounded DISTINCT on the leads.
    """
    run = latest_snapshot_run()
    if run is not None and field_name in run.slices:
        return [value for value in run.slices[field_name] if value]
    return list(
        Lead.objects.exclude(**{field_name: ""})
        .order_by(field_name)
        .values_list(field_name, flat=True)
        .distinct()[:200]
    )


# --- KPI actuals -----------------------------------------------------------------------


def kpi_slice(filters: dict, *, forced_team_id: int | None = None) -> Slice:
    """The Slice a KPI definition's filters describe, narrowed to a forced team."""
    team = filters.get("team")
    campaign = filters.get("campaign")
    return Slice(
        segment=filters.get("segment") or "",
        region=filters.get("region") or "",
        source=filters.get("source") or "",
        team_id=forced_team_id if forced_team_id is not None else (int(team) if team else None),
        campaign_id=int(campaign) if campaign else None,
    )


def kpi_actual(
    *, measure: str, since: dt.datetime, until: dt.datetime, slice: Slice = Slice()
) -> float | None:
    """The value of one standard measure over [since, until) — always from live data."""
    if measure.endswith("_volume"):
        stage = measure.removesuffix("_volume")
        return (
            slice.leads()
            .filter(**{f"{STAGE_FIELD[stage]}__gte": since, f"{STAGE_FIELD[stage]}__lt": until})
            .count()
        )
    if measure in ("new_customers", "revenue", "win_rate"):
        found = totals(since=since, until=until, slice=slice)
        value = {"new_customers": found["customers"], "revenue": found["revenue"]}.get(
            measure, found["win_rate"]
        )
        return float(value) if value is not None else None
    if measure == "pipeline":
        rows = pipeline_by(group_by="total", slice=slice)
        return float(rows[0]["amount"]) if rows else 0.0
    if measure in ("mql_to_sal", "sal_to_sql", "sql_to_customer"):
        source, target = measure.split("_to_")
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
    if measure == "velocity_mql_to_customer":
        rows = velocity(since=since, until=until, slice=slice)
        return rows[0]["median_hours"] if rows else None
    if measure in ("speed_to_decision", "speed_to_first_touch"):
        to = "decision" if measure == "speed_to_decision" else "first_touch"
        rows = speed_to_lead(since=since, until=until, to=to, slice=slice)
        return rows[0]["median_hours"] if rows else None
    if measure == "cost_per_customer":
        value = cost_per_customer(since=since, until=until, slice=slice)["cost_per_customer"]
        return float(value) if value is not None else None
    raise ValueError(f"Unknown measure {measure!r}")
