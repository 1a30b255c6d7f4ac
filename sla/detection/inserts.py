"""How the detector writes breach rows: set-based INSERT … SELECT, or one row at a time.

Shared by every kind of breach. The unique constraints on Breach, not these functions,
guarantee that a breach is recorded once.
"""

from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, DateTimeField, F, QuerySet, Value, When

from sla.models import Breach, Side

BREACH_COLUMNS = (
    "kind",
    "side",
    "version_id",
    "lead_id",
    "clock_id",
    "owner_id",
    "due_at",
    "detected_at",
    "acknowledgement",
)


def insert_select(queryset: QuerySet) -> list[int]:
    """INSERT the rows of ``queryset`` (values_list in BREACH_COLUMNS order) as breaches.

    ON CONFLICT DO NOTHING covers every unique index, the partial ones included: a breach
    that a concurrent run (or an earlier one) recorded is skipped, not duplicated.
    Returns the ids of the rows this statement inserted.
    """
    select_sql, params = queryset.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(name) for name in BREACH_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Breach._meta.db_table} ({columns}) {select_sql} "
            "ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def insert_new(breaches: list[Breach]) -> list[int]:
    """Insert the breaches that are not recorded yet (the few per-period and campaign ones)."""
    new_ids = []
    for breach in breaches:
        try:
            with transaction.atomic():
                breach.save(force_insert=True)
        except IntegrityError:
            continue  # recorded already (an earlier or a concurrent run)
        new_ids.append(breach.pk)
    return new_ids


def breach_rows(clocks: QuerySet, *, kind: str, due: F, now: datetime, owner=None) -> QuerySet:
    """One sales breach of ``kind`` per clock, as rows for insert_select (BREACH_COLUMNS)."""
    return (
        clocks.order_by()
        .annotate(
            b_kind=Value(kind, output_field=CharField()),
            b_side=Value(Side.SALES, output_field=CharField()),
            b_version=F("version_id"),
            b_lead=F("lead_id"),
            b_clock=F("id"),
            b_owner=owner if owner is not None else current_owner(),
            b_due=due,
            b_detected=Value(now, output_field=DateTimeField()),
            b_ack=Value("", output_field=CharField()),
        )
        .values_list(
            "b_kind",
            "b_side",
            "b_version",
            "b_lead",
            "b_clock",
            "b_owner",
            "b_due",
            "b_detected",
            "b_ack",
        )
    )


def current_owner():
    """The lead's owner while it is on this hand-over, else the seller it was handed to."""
    return Case(
        When(
            lead__handed_over_at=F("handed_over_at"),
            lead__owner_id__isnull=False,
            then=F("lead__owner_id"),
        ),
        default=F("owner_id"),
    )
