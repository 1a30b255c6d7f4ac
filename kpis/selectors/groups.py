"""What every KPI read shares: the stages, the groupings, local days, the latest snapshot run.

Time groups (week, month, quarter) use Django's ``Trunc*`` in the current time zone, which
is ``settings.TIME_ZONE``: a lead that became an MQL at 23:30 UTC on 31 January belongs to
February in Europe/Berlin.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.db.models import Expression, F, Value
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from kpis.models import SnapshotRun

# The funnel's stages and the timestamp that says a lead first reached each one.
StageName = Literal["mql", "sal", "sql", "customer"]
STAGES: tuple[StageName, ...] = ("mql", "sal", "sql", "customer")
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


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware datetime at which ``day`` begins in the configured time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def is_local_midnight(moment: dt.datetime) -> bool:
    """Whether ``moment`` is a day boundary, where snapshot days can take over from live rows."""
    return timezone.localtime(moment).time() == dt.time.min


def group_label(group_by: str, value: object) -> str:
    """How a group shows in tables, the API and CSV: "2026-01", "2026-Q1", "web form"."""
    if group_by in TIME_GROUPS:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        # A time group's value is a date (a datetime was made a local date just above).
        assert isinstance(value, dt.date)
        if group_by == "month":
            return value.strftime("%Y-%m")
        if group_by == "quarter":
            return f"{value.year}-Q{(value.month - 1) // 3 + 1}"
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def group_expression(group_by: str, stamp_field: str) -> Expression | F:
    """The ORM expression a ``group_by`` groups on (``stamp_field`` dates the time groups)."""
    if group_by in TIME_GROUPS:
        return TIME_GROUPS[group_by](stamp_field)
    if group_by == "total":
        return Value("total")
    return F(DIMENSION_FIELD[group_by])


def time_buckets(group_by: str, since: dt.datetime, until: dt.datetime) -> list[str]:
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


def latest_snapshot_run() -> SnapshotRun | None:
    """The newest finished snapshot run in the configured time zone."""
    return (
        SnapshotRun.objects.filter(time_zone=settings.TIME_ZONE, finished_at__isnull=False)
        .order_by("-as_of")
        .first()
    )
