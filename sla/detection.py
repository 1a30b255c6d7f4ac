"""Breach detection: one set-based statement per kind, idempotent under re-runs and races.

Each obligation on an SLA clock has a state (open → met or breached). The detector only
looks at open obligations through partial indexes, inserts the breaches it finds with
INSERT … SELECT … ON CONFLICT DO NOTHING (the unique constraints are the guard when two
workers run at once), then settles the obligations so the next run skips them. Its cost
follows what is open or found, not the number of leads.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.models import LeadStageChange, Stage, Touch
from sla import periods
from sla.business_hours import add_business_hours
from sla.models import (
    Breach,
    BreachKind,
    ClockDecision,
    ObligationState,
    Side,
    SLAClock,
    SLAVersion,
    VersionStatus,
)

OPEN, MET, BREACHED, NOT_APPLICABLE = (
    ObligationState.OPEN,
    ObligationState.MET,
    ObligationState.BREACHED,
    ObligationState.NOT_APPLICABLE,
)
# How many past periods a version is judged for when the detector first sees it.
MAX_PAST_PERIODS = 24

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


def breaches_detect(*, now: datetime) -> list[int]:
    """Record every breach that is due at ``now``; return the ids not yet notified."""
    with transaction.atomic():
        versions_expire(now=now)
    with transaction.atomic():
        decisions_sync(now=now)
    with transaction.atomic():
        decision_breaches_record(now=now)
    with transaction.atomic():
        first_touch_breaches_record(now=now)
    with transaction.atomic():
        persistence_breaches_record(now=now)
    with transaction.atomic():
        period_breaches_record(now=now)
    return list(Breach.objects.filter(notified_at__isnull=True).values_list("id", flat=True))


def _insert_select(queryset: QuerySet) -> int:
    """INSERT the rows of ``queryset`` (values_list in BREACH_COLUMNS order) as breaches.

    ON CONFLICT DO NOTHING covers every unique index, the partial ones included: a breach
    that a concurrent run (or an earlier one) recorded is skipped, not duplicated.
    """
    select_sql, params = queryset.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(name) for name in BREACH_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Breach._meta.db_table} ({columns}) {select_sql} ON CONFLICT DO NOTHING",
            params,
        )
        return cursor.rowcount


def _breach_rows(clocks: QuerySet, *, kind: str, due: F, now: datetime) -> QuerySet:
    return (
        clocks.order_by()
        .annotate(
            b_kind=Value(kind, output_field=CharField()),
            b_side=Value(Side.SALES, output_field=CharField()),
            b_version=F("version_id"),
            b_lead=F("lead_id"),
            b_clock=F("id"),
            b_owner=F("lead__owner_id"),
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


# ------------------------------------------------------------------ versions


def versions_expire(*, now: datetime) -> int:
    """Active versions past their validity become expired."""
    from sla.services import version_transition

    expired = 0
    for version in SLAVersion.objects.filter(
        status=VersionStatus.ACTIVE, valid_until__lt=timezone.localdate(now)
    ):
        version_transition(
            version=version,
            to_status=VersionStatus.EXPIRED,
            actor=None,
            comment="Validity ended.",
        )
        expired += 1
    return expired


# ------------------------------------------------------------------ decisions


def decisions_sync(*, now: datetime) -> int:
    """Copy each new accept/reject onto its clock, and start the first-touch clock.

    Only undecided clocks are read (a partial index keeps them few: the open MQLs). The
    decision comes from the lead while it is still on that hand-over, else from its
    history. First-touch due times need the business calendar, so they are computed here
    in Python, for the decisions found in this run only. Rejections without a comment,
    where the SLA asks for one, are recorded as breaches at the same time.
    """
    decision_change = LeadStageChange.objects.filter(
        lead=OuterRef("lead_id"),
        from_stage=Stage.MQL,
        created_at__gte=OuterRef("handed_over_at"),
    ).order_by("created_at", "id")
    candidates = (
        SLAClock.objects.filter(decision=ClockDecision.UNDECIDED, handed_over_at__lte=now)
        .annotate(
            lead_decided_at=Case(
                When(lead__handed_over_at=F("handed_over_at"), then=F("lead__decided_at")),
                default=None,
                output_field=DateTimeField(),
            ),
            lead_stage=F("lead__stage"),
            change_at=Subquery(decision_change.values("created_at")[:1]),
            change_to=Subquery(decision_change.values("to_stage")[:1]),
            change_comment=Subquery(decision_change.values("comment")[:1]),
        )
        .filter(Q(lead_decided_at__isnull=False) | Q(change_at__isnull=False))
        .select_related("version")
    )
    calendars = {}
    updated, rejection_breaches = [], []
    for clock in candidates:
        if clock.change_at is not None:
            decided_at, to_stage = clock.change_at, clock.change_to
        else:
            decided_at, to_stage = clock.lead_decided_at, clock.lead_stage
        clock.decided_at = decided_at
        if to_stage == Stage.REJECTED:
            clock.decision = ClockDecision.REJECTED
            if (
                clock.version.rejection_comment_required
                and clock.change_at is not None
                and not (clock.change_comment or "").strip()
            ):
                rejection_breaches.append(
                    Breach(
                        kind=BreachKind.REJECTION_WITHOUT_COMMENT,
                        side=Side.SALES,
                        version_id=clock.version_id,
                        lead_id=clock.lead_id,
                        clock=clock,
                        owner_id=None,
                        due_at=decided_at,
                        detected_at=now,
                    )
                )
        else:
            from sla.services import calendar_for

            clock.decision = ClockDecision.ACCEPTED
            if clock.version_id not in calendars:
                calendars[clock.version_id] = calendar_for(clock.version)
            clock.first_touch_due_at = add_business_hours(
                decided_at, clock.version.first_touch_hours, calendars[clock.version_id]
            )
            clock.first_touch_state = OPEN
            clock.persistence_state = OPEN
        updated.append(clock)
    SLAClock.objects.bulk_update(
        updated,
        ["decided_at", "decision", "first_touch_due_at", "first_touch_state", "persistence_state"],
        batch_size=1000,
    )
    if rejection_breaches:
        owners = dict(
            SLAClock.objects.filter(pk__in=[b.clock.pk for b in rejection_breaches]).values_list(
                "pk", "lead__owner_id"
            )
        )
        for breach in rejection_breaches:
            breach.owner_id = owners.get(breach.clock.pk)
        Breach.objects.bulk_create(rejection_breaches, ignore_conflicts=True)
    return len(updated)


def decision_breaches_record(*, now: datetime) -> int:
    """MQLs not accepted or rejected by their decision due time: one INSERT … SELECT."""
    late = SLAClock.objects.filter(decision_state=OPEN, decision_due_at__lte=now).filter(
        Q(decided_at__isnull=True) | Q(decided_at__gt=F("decision_due_at"))
    )
    found = _insert_select(
        _breach_rows(late, kind=BreachKind.DECISION_LATE, due=F("decision_due_at"), now=now)
    )
    late.update(decision_state=BREACHED)
    SLAClock.objects.filter(
        decision_state=OPEN, decided_at__isnull=False, decided_at__lte=F("decision_due_at")
    ).update(decision_state=MET)
    return found


def _touched_in_time() -> Q:
    """A contact attempt between the hand-over and the first-touch due time."""
    touch = Touch.objects.filter(
        lead=OuterRef("lead_id"),
        occurred_at__gte=OuterRef("handed_over_at"),
        occurred_at__lte=OuterRef("first_touch_due_at"),
    )
    return Q(Exists(touch)) | Q(
        lead__first_touch_at__gte=F("handed_over_at"),
        lead__first_touch_at__lte=F("first_touch_due_at"),
    )


def first_touch_breaches_record(*, now: datetime) -> int:
    """SALs with no contact attempt by their first-touch due time."""
    open_clocks = SLAClock.objects.filter(first_touch_state=OPEN)
    open_clocks.filter(_touched_in_time()).update(first_touch_state=MET)
    late = SLAClock.objects.filter(first_touch_state=OPEN, first_touch_due_at__lte=now)
    found = _insert_select(
        _breach_rows(late, kind=BreachKind.FIRST_TOUCH_LATE, due=F("first_touch_due_at"), now=now)
    )
    late.update(first_touch_state=BREACHED)
    return found


def persistence_breaches_record(*, now: datetime) -> int:
    """SALs recycled with fewer contact attempts than the SLA asks for.

    Open until the lead leaves SAL on that hand-over; then judged once: breached if it was
    recycled too early, met if recycled after enough attempts, not applicable otherwise.
    """
    recycle = LeadStageChange.objects.filter(
        lead=OuterRef("lead_id"),
        action="recycle",
        from_stage=Stage.SAL,
        created_at__gte=OuterRef("handed_over_at"),
        created_at__lte=now,
    ).order_by("created_at", "id")
    attempts = (
        Touch.objects.filter(
            lead=OuterRef("lead_id"),
            occurred_at__gte=OuterRef("handed_over_at"),
            occurred_at__lte=OuterRef("recycled_at"),
        )
        .order_by()
        .values("lead_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    settled = (
        SLAClock.objects.filter(persistence_state=OPEN)
        .exclude(lead__stage=Stage.SAL, lead__handed_over_at=F("handed_over_at"))
        .annotate(recycled_at=Subquery(recycle.values("created_at")[:1]))
        .annotate(
            attempts=Coalesce(Subquery(attempts[:1], output_field=IntegerField()), 0),
            min_attempts=F("version__min_attempts"),
        )
        .values_list("pk", "lead_id", "version_id", "recycled_at", "attempts", "min_attempts")
    )
    breaches, breached, met, not_applicable = [], [], [], []
    for pk, lead_id, version_id, recycled_at, attempt_count, minimum in settled:
        if recycled_at is None:
            not_applicable.append(pk)
        elif attempt_count < minimum:
            breached.append(pk)
            breaches.append(
                Breach(
                    kind=BreachKind.RECYCLED_EARLY,
                    side=Side.SALES,
                    version_id=version_id,
                    lead_id=lead_id,
                    clock_id=pk,
                    due_at=recycled_at,
                    detected_at=now,
                )
            )
        else:
            met.append(pk)
    if breaches:
        # After a recycle the lead has no owner: the seller is the one who recycled it.
        owners = dict(
            LeadStageChange.objects.filter(
                lead_id__in=[b.lead_id for b in breaches], action="recycle", from_stage=Stage.SAL
            ).values_list("lead_id", "from_owner_id")
        )
        for breach in breaches:
            breach.owner_id = owners.get(breach.lead_id)
        Breach.objects.bulk_create(breaches, ignore_conflicts=True)
    for state, pks in ((BREACHED, breached), (MET, met), (NOT_APPLICABLE, not_applicable)):
        if pks:
            SLAClock.objects.filter(pk__in=pks, persistence_state=OPEN).update(
                persistence_state=state
            )
    return len(breaches)


# ------------------------------------------------------------------ periods


def period_figures(version: SLAVersion, start, now: datetime | None = None) -> dict:
    """MQLs handed over and decisions in one period of ``version``'s SLA (two aggregates)."""
    begins, ends = periods.period_bounds(start, version.period, version.time_zone)
    if now is not None:
        ends = min(ends, now)
    figures = SLAClock.objects.filter(
        version__sla_id=version.sla_id, handed_over_at__gte=begins, handed_over_at__lt=ends
    ).aggregate(
        mqls=Count("pk"),
        decided=Count("pk", filter=~Q(decision=ClockDecision.UNDECIDED)),
        accepted=Count("pk", filter=Q(decision=ClockDecision.ACCEPTED)),
    )
    decided = figures["decided"]
    figures["acceptance_rate"] = round(100 * figures["accepted"] / decided, 2) if decided else None
    return figures


def judged_periods(version: SLAVersion, now: datetime) -> list:
    """Start dates of the completed periods whose end fell while ``version`` was active."""
    if version.activated_at is None:
        return []
    ended = version.ended_at or now
    local_now = timezone.localtime(now, ZoneInfo(version.time_zone)).date()
    start = periods.period_start(local_now, version.period)
    judged = []
    for _ in range(MAX_PAST_PERIODS):
        start = periods.previous_period_start(start, version.period)
        _begins, ends = periods.period_bounds(start, version.period, version.time_zone)
        if ends <= version.activated_at:
            break
        if ends <= ended and start >= periods.period_start(version.valid_from, version.period):
            judged.append(start)
    return judged


def period_breaches_record(*, now: datetime) -> int:
    """Marketing's per-period commitments: MQL volume and acceptance rate below target.

    A period is judged by the version active when it ended. Versions are few, periods
    per version are few, and each period is two aggregates over an indexed range.
    """
    # Versions that ended long ago have had all their periods judged already.
    versions = SLAVersion.objects.filter(activated_at__isnull=False).exclude(
        ended_at__lt=now - timedelta(days=400)
    )
    breaches = []
    for version in versions:
        for start in judged_periods(version, now):
            figures = period_figures(version, start)
            _begins, ends = periods.period_bounds(start, version.period, version.time_zone)
            end_date = periods.next_period_start(start, version.period)
            common = {
                "side": Side.MARKETING,
                "version": version,
                "period_start": start,
                "period_end": end_date,
                "due_at": ends,
                "detected_at": now,
            }
            if figures["mqls"] < version.mql_target:
                breaches.append(
                    Breach(
                        kind=BreachKind.MQL_VOLUME,
                        target=version.mql_target,
                        actual=figures["mqls"],
                        **common,
                    )
                )
            rate = figures["acceptance_rate"]
            if rate is not None and rate < version.acceptance_rate_target:
                breaches.append(
                    Breach(
                        kind=BreachKind.ACCEPTANCE_RATE,
                        target=version.acceptance_rate_target,
                        actual=rate,
                        **common,
                    )
                )
    Breach.objects.bulk_create(breaches, ignore_conflicts=True)
    return len(breaches)
