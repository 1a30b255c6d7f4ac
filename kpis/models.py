"""Shared KPIs: what is measured (definitions), what is aimed at (targets), and the
daily snapshot of the aggregates that makes history and trends cheap.

Actual values are never stored by hand: they are computed from the leads by
``kpis.selectors`` (live) or read from ``KpiSnapshot`` rows written by the daily job.
"""

from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    """The standard measures of DOMAIN.md §6 that a KPI can be defined on."""

    MQL_VOLUME = "mql_volume", _("MQL volume")
    SAL_VOLUME = "sal_volume", _("SAL volume")
    SQL_VOLUME = "sql_volume", _("SQL volume")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    REVENUE = "revenue", _("Revenue (won amount)")
    PIPELINE = "pipeline", _("Pipeline (open SQL expected amount)")
    WIN_RATE = "win_rate", _("Win rate")
    MQL_TO_SAL = "mql_to_sal", _("Conversion MQL → SAL (cohort)")
    SAL_TO_SQL = "sal_to_sql", _("Conversion SAL → SQL (cohort)")
    SQL_TO_CUSTOMER = "sql_to_customer", _("Conversion SQL → customer (cohort)")
    VELOCITY_MQL_TO_CUSTOMER = "velocity_mql_to_customer", _("Velocity MQL → customer (median)")
    SPEED_TO_DECISION = "speed_to_decision", _("Speed to lead: hand-over → decision (median)")
    SPEED_TO_FIRST_TOUCH = (
        "speed_to_first_touch",
        _("Speed to lead: hand-over → first touch (median)"),
    )
    COST_PER_CUSTOMER = "cost_per_customer", _("Cost per customer")


class Unit(models.TextChoices):
    COUNT = "count", _("Count")
    CURRENCY = "currency", _("Currency")
    PERCENT = "percent", _("Percent")
    HOURS = "hours", _("Hours")


# The unit each measure is expressed in; a definition must use it (checked in the service).
MEASURE_UNIT: dict[str, Unit] = {
    Measure.MQL_VOLUME: Unit.COUNT,
    Measure.SAL_VOLUME: Unit.COUNT,
    Measure.SQL_VOLUME: Unit.COUNT,
    Measure.NEW_CUSTOMERS: Unit.COUNT,
    Measure.REVENUE: Unit.CURRENCY,
    Measure.PIPELINE: Unit.CURRENCY,
    Measure.WIN_RATE: Unit.PERCENT,
    Measure.MQL_TO_SAL: Unit.PERCENT,
    Measure.SAL_TO_SQL: Unit.PERCENT,
    Measure.SQL_TO_CUSTOMER: Unit.PERCENT,
    Measure.VELOCITY_MQL_TO_CUSTOMER: Unit.HOURS,
    Measure.SPEED_TO_DECISION: Unit.HOURS,
    Measure.SPEED_TO_FIRST_TOUCH: Unit.HOURS,
    Measure.COST_PER_CUSTOMER: Unit.CURRENCY,
}


class Period(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class KpiDefinition(models.Model):
    """One number both teams agree to watch: a standard measure, its filters, its period.

    ``filters`` narrows the measure (keys: segment, region, source, team, campaign).
    A shared KPI is owned by at least one person from marketing and one from sales;
    the service checks that, because a many-to-many cannot carry a constraint.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    measure = models.CharField(max_length=30, choices=Measure)
    filters = models.JSONField(default=dict, blank=True)
    unit = models.CharField(max_length=10, choices=Unit)
    period = models.CharField(max_length=10, choices=Period, default=Period.MONTH)
    is_shared = models.BooleanField(
        default=True, help_text=_("Owned together by marketing and sales.")
    )
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="owned_kpis")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "KPI definition"
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__in=Measure.values), name="kpidefinition_measure_valid"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=Unit.values), name="kpidefinition_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(period__in=Period.values), name="kpidefinition_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KpiTarget(models.Model):
    """What a KPI should reach in one period (the period starting on ``period_start``)."""

    kpi = models.ForeignKey(KpiDefinition, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kpi", "period_start"]
        verbose_name = "KPI target"
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_start"],
                name="kpitarget_one_per_period",
                violation_error_message=_("This KPI already has a target for this period."),
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="kpitarget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} from {self.period_start}"


class SnapshotRun(models.Model):
    """One run of the daily snapshot job: the rows it wrote describe the data before ``as_of``.

    ``as_of`` is local midnight (in ``time_zone``) of the day the job ran for; every
    snapshot row counts only timestamps before it, so re-running the job for the same
    day writes the same numbers. Readers only trust a run in the current time zone.
    """

    as_of = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    # The distinct values of each slice dimension seen by this run, e.g.
    # {"source": ["event", "web form"]}: the dashboards' filter choices, without a scan.
    slices = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["as_of", "time_zone"], name="snapshotrun_unique"),
        ]

    def __str__(self) -> str:
        return f"Snapshot as of {self.as_of:%Y-%m-%d %H:%M} ({self.time_zone})"


class SnapshotValues(TypedDict):
    """The fields of one KpiSnapshot row as a snapshot run computes them."""

    day: date
    measure: str
    group: str
    value: int | Decimal


class KpiSnapshot(models.Model):
    """One aggregate for one local day: e.g. how many leads entered SQL on that day.

    ``measure`` is a snapshot measure (``kpis.snapshots.SNAPSHOT_MEASURES``);
    ``group`` is "" for all leads or "<dimension>:<value>" for a slice
    ("source:webinar", "team:3"). Cohort measures (``cohort_*``) count the leads that
    became MQLs on ``day`` and reached the stage before the run's ``as_of``.
    """

    day = models.DateField()
    measure = models.CharField(max_length=30)
    group = models.CharField(max_length=120, blank=True, default="")
    value = models.DecimalField(max_digits=18, decimal_places=2)
    run = models.ForeignKey(SnapshotRun, on_delete=models.CASCADE, related_name="snapshots")

    class Meta:
        ordering = ["day", "measure", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "measure", "group"], name="kpisnapshot_one_per_day_measure_group"
            ),
        ]
        indexes = [
            # Funnel and trend reads: "these measures, this slice, over this range of days".
            # The value is a key column too, so reads are index-only scans (no INCLUDE:
            # SQLite has none).
            models.Index(fields=["group", "measure", "day", "value"], name="kpisnapshot_read_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.measure} {self.group or 'all'} = {self.value}"
