"""Writes for shared KPIs: definitions with their owners, targets, and the daily snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from itertools import chain
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Func, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from kpis import histograms, periods, permissions
from kpis.models import (
    MEASURE_UNIT,
    KpiDefinition,
    KpiSnapshot,
    KpiTarget,
    SnapshotRun,
    SnapshotValues,
)
from kpis.selectors import DIMENSION_FIELD, STAGE_FIELD, STAGES, local_midnight
from leads.models import Lead, Stage

FILTER_KEYS = ("segment", "region", "source", "team", "campaign")

# Measures the snapshot recomputes in full on every run (stale slices are removed).
COHORT_MEASURES = tuple(f"cohort_{stage}" for stage in STAGES)
ENTERED_MEASURES = tuple(f"entered_{stage}" for stage in STAGES)
RECOMPUTED_MEASURES = (*COHORT_MEASURES, *ENTERED_MEASURES, "revenue")
# Histogram measures are named "hist_<duration>:<bucket>" (see kpis.histograms).
# Point-in-time measures: one value per run day, kept as history.
PIPELINE_MEASURE = "pipeline"
SNAPSHOT_DIMENSIONS = ("", *DIMENSION_FIELD)
SNAPSHOT_BATCH = 5000


def owners_check(*, is_shared: bool, owners: Iterable[User]) -> None:
    """A shared KPI needs an owner in marketing and an owner in sales (DOMAIN.md §6)."""
    owners = list(owners)
    if not owners:
        raise ValidationError({"owners": _("A KPI needs at least one owner.")})
    if is_shared:
        sides = {owner.team_kind for owner in owners}
        missing = [side for side in ("marketing", "sales") if side not in sides]
        if missing:
            raise ValidationError(
                {
                    "owners": _(
                        "A shared KPI is owned by both teams: add at least one owner from "
                        "marketing and one from sales (missing: %(missing)s)."
                    )
                    % {"missing": ", ".join(missing)}
                }
            )


def filters_check(filters: object) -> dict[str, Any]:
    if not isinstance(filters, dict):
        raise ValidationError({"filters": _("Filters must be an object.")})
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise ValidationError(
            {
                "filters": _("Unknown filter(s): %(unknown)s. Use %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(FILTER_KEYS)}
            }
        )
    return {key: value for key, value in filters.items() if value not in ("", None)}


@transaction.atomic
def kpi_definition_create(
    *,
    actor: User,
    name: str,
    measure: str,
    period: str,
    owners: list[User],
    filters: dict[str, Any] | None = None,
    is_shared: bool = True,
    description: str = "",
    unit: str | None = None,
) -> KpiDefinition:
    """Define a KPI. Its unit follows from the measure; shared KPIs have owners on both sides."""
    if not permissions.can_manage_kpis(actor):
        raise PermissionDenied(_("Only executives and managers define KPIs."))
    expected_unit = MEASURE_UNIT.get(measure)
    if unit and expected_unit and unit != expected_unit:
        raise ValidationError(
            {"unit": _("This measure is counted in %(unit)s.") % {"unit": expected_unit}}
        )
    kpi = KpiDefinition(
        name=name,
        measure=measure,
        period=period,
        unit=unit or expected_unit or "",
        filters=filters_check(filters or {}),
        is_shared=is_shared,
        description=description,
    )
    kpi.full_clean()
    owners_check(is_shared=is_shared, owners=owners)
    kpi.save()
    kpi.owners.set(owners)
    return kpi


@transaction.atomic
def kpi_target_set(
    *, actor: User, kpi: KpiDefinition, period_start: dt.date, value: object
) -> KpiTarget:
    """Set (or change) the target of one period; idempotent for the same value."""
    if not permissions.can_set_targets(actor, kpi):
        raise PermissionDenied(_("Only the KPI's owners and executives set its targets."))
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"value": _("Enter a number.")}) from error
    if not amount.is_finite() or amount < 0:
        raise ValidationError({"value": _("A target cannot be negative.")})
    aligned = periods.period_start(kpi.period, period_start)
    if aligned != period_start:
        raise ValidationError(
            {
                "period_start": _("A %(period)s period starts on %(day)s.")
                % {"period": kpi.period, "day": aligned.isoformat()}
            }
        )
    target, _created = KpiTarget.objects.update_or_create(
        kpi=kpi,
        period_start=period_start,
        defaults={"value": amount, "set_by": actor, "updated_at": timezone.now()},
    )
    return target


def snapshots_take(*, today: dt.date | None = None) -> SnapshotRun:
    """Store the daily aggregates of every day before ``today`` (local), per slice.

    Idempotent: rows are upserted on (day, measure, group), and every number counts
    only timestamps before ``as_of`` (local midnight of ``today``), so a second run on
    the same day writes the same rows. Cohort counts of old days change as leads move
    on, so each run recomputes them all — one GROUP BY per slice dimension, in the
    database. Rows of slices that no longer exist are deleted.
    """
    today = today or timezone.localdate()
    as_of = local_midnight(today)
    with transaction.atomic():
        run, _created = SnapshotRun.objects.update_or_create(
            as_of=as_of,
            time_zone=settings.TIME_ZONE,
            defaults={"started_at": timezone.now(), "finished_at": None, "rows": 0},
        )
        written = 0
        batch: list[KpiSnapshot] = []
        slices: dict[str, set[str]] = {}
        for row in chain(_snapshot_rows(as_of=as_of), histograms.snapshot_rows(as_of=as_of)):
            if row["group"] and row["measure"] == "cohort_mql":
                dimension, value = row["group"].split(":", 1)
                slices.setdefault(dimension, set()).add(value)
            batch.append(KpiSnapshot(run=run, **row))
            if len(batch) >= SNAPSHOT_BATCH:
                written += _upsert(batch)
                batch = []
        written += _upsert(batch)
        written += _upsert(
            [
                KpiSnapshot(
                    run=run,
                    day=today - dt.timedelta(days=1),
                    measure=PIPELINE_MEASURE,
                    group="",
                    value=Lead.objects.filter(stage=Stage.SQL).aggregate(
                        amount=Coalesce(Sum("expected_amount"), Decimal("0"))
                    )["amount"],
                )
            ]
        )
        KpiSnapshot.objects.filter(
            Q(measure__in=RECOMPUTED_MEASURES) | Q(measure__startswith="hist_")
        ).exclude(run=run).delete()
        run.rows = written
        run.slices = {dimension: sorted(values) for dimension, values in slices.items()}
        run.finished_at = timezone.now()
        run.save(update_fields=["rows", "slices", "finished_at"])
        if connection.vendor == "postgresql":
            # The table was just rewritten: fresh statistics keep the readers on the index.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE kpis_kpisnapshot")
    return run


def _upsert(batch: list[KpiSnapshot]) -> int:
    if not batch:
        return 0
    KpiSnapshot.objects.bulk_create(
        batch,
        update_conflicts=True,
        unique_fields=["day", "measure", "group"],
        update_fields=["value", "run"],
    )
    return len(batch)


def _group_key(dimension: str, value: object) -> str:
    if not dimension:
        return ""
    return f"{dimension}:{'' if value is None else value}"


def _snapshot_rows(*, as_of: dt.datetime) -> Iterator[SnapshotValues]:
    for dimension in SNAPSHOT_DIMENSIONS:
        group = F(DIMENSION_FIELD[dimension]) if dimension else Value("")
        cohort = (
            Lead.objects.filter(mql_at__lt=as_of)
            .values(day=TruncDate("mql_at"), slice_value=group)
            .annotate(
                mql=Count("pk"),
                sal=Count("pk", filter=Q(sal_at__lt=as_of)),
                sql=Count("pk", filter=Q(sql_at__lt=as_of)),
                customer=Count("pk", filter=Q(won_at__lt=as_of)),
            )
            .order_by()
        )
        for row in cohort:
            for stage in STAGES:
                yield {
                    "day": row["day"],
                    "measure": f"cohort_{stage}",
                    "group": _group_key(dimension, row["slice_value"]),
                    "value": row[stage],
                }
        for stage in STAGES:
            stamp = STAGE_FIELD[stage]
            annotations: dict[str, Func] = {"n": Count("pk")}
            if stage == "customer":
                annotations["revenue"] = Coalesce(Sum("won_amount"), Decimal("0"))
            entered = (
                Lead.objects.filter(**{f"{stamp}__lt": as_of})
                .values(day=TruncDate(stamp), slice_value=group)
                .annotate(**annotations)
                .order_by()
            )
            # The plugin cannot see names annotated from a ** dict (n, revenue: above).
            for entered_row in entered:
                key = _group_key(dimension, entered_row["slice_value"])
                yield {
                    "day": entered_row["day"],
                    "measure": f"entered_{stage}",
                    "group": key,
                    "value": entered_row["n"],  # type: ignore[misc]
                }
                if stage == "customer":
                    yield {
                        "day": entered_row["day"],
                        "measure": "revenue",
                        "group": key,
                        "value": entered_row["revenue"],  # type: ignore[misc]
                    }
