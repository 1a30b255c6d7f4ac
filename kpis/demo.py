"""Demo KPIs: shared definitions owned by both teams, monthly targets, and snapshots.

Targets are derived from the demo data itself (a little above what was measured), so
the dashboards show realistic attainment. Safe to run again: definitions and targets
are upserted, and the snapshot is idempotent. At a million leads the cost is one
GROUP BY per measure plus the snapshot job's GROUP BYs, all in the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import User
from kpis import services
from kpis.models import MEASURE_UNIT, KpiDefinition, KpiTarget, Measure
from kpis.periods import period_end, period_start
from kpis.selectors import local_midnight
from leads.models import Lead

# name, measure, owners (usernames), shared, description, target uplift over the measured mean
DEMO_KPIS = (
    (
        "New customers",
        Measure.NEW_CUSTOMERS,
        ("marketing_manager", "sales_manager", "executive"),
        True,
        "Customers won per month: the one goal both teams own.",
        Decimal("1.10"),
    ),
    (
        "Revenue",
        Measure.REVENUE,
        ("marketing_manager", "sales_manager", "executive"),
        True,
        "Won amount per month.",
        Decimal("1.10"),
    ),
    (
        "MQL volume",
        Measure.MQL_VOLUME,
        ("marketer", "marketing_manager", "sales_manager"),
        True,
        "MQLs handed to sales per month: the volume the SLA commits marketing to.",
        Decimal("1.05"),
    ),
    (
        "MQL acceptance",
        Measure.MQL_TO_SAL,
        ("marketing_manager", "sales_manager"),
        True,
        "Share of a month's MQLs that sales accepted.",
        None,
    ),
    (
        "Speed to lead",
        Measure.SPEED_TO_DECISION,
        ("sales_manager",),
        False,
        "Median hours from hand-over to accept/reject.",
        None,
    ),
)

TARGET_MONTHS_BACK = 12
TARGET_MONTHS_AHEAD = 3


def _monthly_means(first: dt.date, until: dt.date) -> dict[str, Decimal]:
    """Mean per month of the measures that get targets, over the demo data."""
    since, end = local_midnight(first), local_midnight(until)
    won = list(
        Lead.objects.filter(won_at__gte=since, won_at__lt=end)
        .values(month=TruncMonth("won_at"))
        .annotate(customers=Count("pk"), revenue=Coalesce(Sum("won_amount"), Decimal("0")))
        .order_by()
    )
    mqls = list(
        Lead.objects.filter(mql_at__gte=since, mql_at__lt=end)
        .values(month=TruncMonth("mql_at"))
        .annotate(n=Count("pk"))
        .order_by()
    )

    def mean(values) -> Decimal:
        values = [Decimal(value) for value in values]
        return sum(values, Decimal("0")) / len(values) if values else Decimal("0")

    return {
        Measure.NEW_CUSTOMERS: mean(row["customers"] for row in won),
        Measure.REVENUE: mean(row["revenue"] for row in won),
        Measure.MQL_VOLUME: mean(row["n"] for row in mqls),
    }


def seed(*, seed: int, leads: int, out) -> None:
    """Create the demo KPIs with owners from both teams, their targets, and a snapshot."""
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=[username for _n, _m, owners, *_rest in DEMO_KPIS for username in owners]
        )
    }
    if not users:
        out.write("Demo KPIs: skipped (no demo users).")
        return
    today = timezone.localdate()
    this_month = period_start("month", today)
    first = this_month
    for _month in range(TARGET_MONTHS_BACK):
        first = period_start("month", first - dt.timedelta(days=1))
    means = _monthly_means(first, this_month)

    created = 0
    for position, (name, measure, owner_names, shared, description, uplift) in enumerate(DEMO_KPIS):
        owners = [users[username] for username in owner_names if username in users]
        if shared:
            services.owners_check(is_shared=True, owners=owners)
        kpi, was_created = KpiDefinition.objects.update_or_create(
            name=name,
            defaults={
                "measure": measure,
                "unit": MEASURE_UNIT[measure],
                "period": "month",
                "is_shared": shared,
                "description": description,
                "position": position,
            },
        )
        kpi.owners.set(owners)
        created += was_created
        if uplift is None or not means.get(measure):
            continue
        target = (means[measure] * uplift).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        month = first
        end = this_month
        for _month in range(TARGET_MONTHS_AHEAD):
            end = period_end("month", end)
        while month < end:
            KpiTarget.objects.update_or_create(
                kpi=kpi, period_start=month, defaults={"value": target}
            )
            month = period_end("month", month)
    run = services.snapshots_take(today=today)
    out.write(
        f"Demo KPIs: {created} created, {len(DEMO_KPIS) - created} already there; "
        f"snapshot of {run.rows} rows."
    )
