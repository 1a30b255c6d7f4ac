"""Breach detection: one set-based statement per kind, idempotent under re-runs and races.

Each obligation on an SLA clock has a state (open → met or breached). The detector only
looks at open obligations through partial indexes, inserts the breaches it finds with
INSERT … SELECT … ON CONFLICT DO NOTHING (the unique constraints are the guard when two
workers run at once), then settles the obligations so the next run skips them. Its cost
follows what is open or found, not the number of leads.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
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

from campaigns.models import Campaign, CampaignStatus
from events import catalog
from events.services import events_record_many
from feedback.models import FeedbackItem
from leads.models import LeadStageChange, Stage, Touch
from sla import periods, selectors
from sla.business_hours import add_business_hours, calendar_for
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
from sla.services import version_transition

OPEN, MET, BREACHED, NOT_APPLICABLE = (
    ObligationState.OPEN,
    ObligationState.MET,
    ObligationState.BREACHED,
    ObligationState.NOT_APPLICABLE,
)
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
    """Record every breach that is due at ``now``; return the ids of the new ones.

    Each kind commits on its own with the ``breach.created`` events of what it found, so
    the notifications (sla.handlers) go out for exactly the breaches recorded.
    """
    with transaction.atomic():
        versions_expire(now=now)
    with transaction.atomic():
        decisions_sync(now=now)
    new_ids: list[int] = []
    for record in (
        rejection_breaches_record,
        decision_breaches_record,
        first_touch_breaches_record,
        persistence_breaches_record,
        period_breaches_record,
        campaign_feedback_breaches_record,
    ):
        with transaction.atomic():
            found = record(now=now)
            _record_events(found, now=now)
        new_ids += found
    return new_ids


def _record_events(breach_ids: list[int], *, now: datetime) -> None:
    """One ``breach.created`` event per new breach, in one INSERT."""
    rows = Breach.objects.filter(pk__in=breach_ids).values(
        "pk",
        "kind",
        "side",
        "version_id",
        "lead_id",
        "owner_id",
        "campaign_id",
        "due_at",
        "period_start",
    )
    events_record_many(
        catalog.BREACH_CREATED,
        items=[(row.pop("pk"), row) for row in rows],
        occurred_at=now,
    )


def _insert_select(queryset: QuerySet) -> list[int]:
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


def _insert_new(breaches: list[Breach]) -> list[int]:
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


def _breach_rows(clocks: QuerySet, *, kind: str, due: F, now: datetime, owner=None) -> QuerySet:
    return (
        clocks.order_by()
        .annotate(
            b_kind=Value(kind, output_field=CharField()),
            b_side=Value(Side.SALES, output_field=CharField()),
            b_version=F("version_id"),
            b_lead=F("lead_id"),
            b_clock=F("id"),
            b_owner=owner if owner is not None else _current_owner(),
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


def _current_owner():
    """The lead's owner while it is on this hand-over, else the seller it was handed to."""
    return Case(
        When(
            lead__handed_over_at=F("handed_over_at"),
            lead__owner_id__isnull=False,
            then=F("lead__owner_id"),
        ),
        default=F("owner_id"),
    )


# ------------------------------------------------------------------ versions


def versions_expire(*, now: datetime) -> int:
    """Active versions past their validity become expired."""
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
    """Copy each new accept/reject onto its clock, and start the clocks that follow it.

    Only undecided clocks are read (a partial index keeps them few: the open MQLs). The
    decision comes from the lead's history (its first move out of MQL after the
    hand-over), else from the lead while it is still on that hand-over. First-touch due
    times need the business calendar, so they are computed here in Python, for the
    decisions found in this run only.
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
        )
        .filter(Q(lead_decided_at__isnull=False) | Q(change_at__isnull=False))
        .select_related("version")
    )
    calendars = {}
    updated = []
    for clock in candidates:
        if clock.change_at is not None:
            decided_at, to_stage = clock.change_at, clock.change_to
        else:
            decided_at, to_stage = clock.lead_decided_at, clock.lead_stage
        if clock.version_id not in calendars:
            calendars[clock.version_id] = calendar_for(clock.version)
        clock_decide(
            clock, decided_at=decided_at, to_stage=to_stage, calendar=calendars[clock.version_id]
        )
        updated.append(clock)
    # Small batches: bulk_update builds one CASE per field, quadratic in the batch size.
    SLAClock.objects.bulk_update(updated, CLOCK_DECISION_FIELDS, batch_size=100)
    return len(updated)


CLOCK_DECISION_FIELDS = [
    "decided_at",
    "decision",
    "first_touch_due_at",
    "first_touch_state",
    "persistence_state",
    "comment_state",
]


def clock_decide(clock: SLAClock, *, decided_at: datetime, to_stage: str, calendar) -> None:
    """Set a clock's decision and open the obligations that follow it (no save)."""
    clock.decided_at = decided_at
    if to_stage == Stage.REJECTED:
        clock.decision = ClockDecision.REJECTED
        if clock.version.rejection_comment_required:
            clock.comment_state = OPEN
    else:
        clock.decision = ClockDecision.ACCEPTED
        clock.first_touch_due_at = add_business_hours(
            decided_at, clock.version.first_touch_hours, calendar
        )
        clock.first_touch_state = OPEN
        clock.persistence_state = OPEN


def rejection_breaches_record(*, now: datetime) -> list[int]:
    """Rejections without a comment where the SLA asks for one: one INSERT … SELECT."""
    rejection = LeadStageChange.objects.filter(
        lead=OuterRef("lead_id"),
        from_stage=Stage.MQL,
        to_stage=Stage.REJECTED,
        created_at__gte=OuterRef("handed_over_at"),
    ).order_by("created_at", "id")
    judged = SLAClock.objects.filter(comment_state=OPEN).annotate(
        rejection_comment=Subquery(rejection.values("comment")[:1]),
        rejected_by=Subquery(rejection.values("from_owner_id")[:1]),
    )
    silent = judged.filter(Q(rejection_comment="") | Q(rejection_comment__isnull=True))
    found = _insert_select(
        _breach_rows(
            silent,
            kind=BreachKind.REJECTION_WITHOUT_COMMENT,
            due=F("decided_at"),
            now=now,
            owner=F("rejected_by"),
        )
    )
    SLAClock.objects.filter(pk__in=silent.values("pk")).update(comment_state=BREACHED)
    SLAClock.objects.filter(comment_state=OPEN).update(comment_state=MET)
    return found


def decision_breaches_record(*, now: datetime) -> list[int]:
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


def first_touch_breaches_record(*, now: datetime) -> list[int]:
    """SALs with no contact attempt by their first-touch due time."""
    open_clocks = SLAClock.objects.filter(first_touch_state=OPEN)
    open_clocks.filter(_touched_in_time()).update(first_touch_state=MET)
    late = SLAClock.objects.filter(first_touch_state=OPEN, first_touch_due_at__lte=now)
    found = _insert_select(
        _breach_rows(late, kind=BreachKind.FIRST_TOUCH_LATE, due=F("first_touch_due_at"), now=now)
    )
    late.update(first_touch_state=BREACHED)
    return found


def persistence_breaches_record(*, now: datetime) -> list[int]:
    """SALs recycled with fewer contact attempts than the SLA asks for: one INSERT … SELECT.

    Open until the lead leaves SAL on that hand-over; then judged once: breached if it was
    recycled too early, met if recycled after enough attempts, not applicable otherwise
    (it went on to SQL). The seller answering is the one who recycled it.
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
    left_sal = (
        SLAClock.objects.filter(persistence_state=OPEN)
        .exclude(lead__stage=Stage.SAL, lead__handed_over_at=F("handed_over_at"))
        .annotate(
            recycled_at=Subquery(recycle.values("created_at")[:1]),
            recycled_by=Subquery(recycle.values("from_owner_id")[:1]),
        )
    )
    too_early = left_sal.filter(recycled_at__isnull=False).filter(
        Q(
            version__min_attempts__gt=Coalesce(
                Subquery(attempts[:1]), 0, output_field=IntegerField()
            )
        )
    )
    rows = (
        too_early.order_by()
        .annotate(
            b_kind=Value(BreachKind.RECYCLED_EARLY, output_field=CharField()),
            b_side=Value(Side.SALES, output_field=CharField()),
            b_version=F("version_id"),
            b_lead=F("lead_id"),
            b_clock=F("id"),
            b_owner=F("recycled_by"),
            b_due=F("recycled_at"),
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
    found = _insert_select(rows)
    SLAClock.objects.filter(pk__in=too_early.values("pk")).update(persistence_state=BREACHED)
    SLAClock.objects.filter(
        pk__in=left_sal.filter(recycled_at__isnull=False).values("pk"), persistence_state=OPEN
    ).update(persistence_state=MET)
    SLAClock.objects.filter(pk__in=left_sal.values("pk"), persistence_state=OPEN).update(
        persistence_state=NOT_APPLICABLE
    )
    return found


# ------------------------------------------------------------------ periods


def period_breaches_record(*, now: datetime) -> list[int]:
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
        for start in periods.judged_periods(version, now):
            figures = selectors.period_figures(version, start)
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
    return _insert_new(breaches)


# ------------------------------------------------------------------ campaign feedback


def campaign_feedback_breaches_record(*, now: datetime) -> list[int]:
    """Campaigns that got no feedback from sales within the agreed days of their end.

    Judged by the version active when the feedback fell due, for the campaigns whose
    sales co-owner is in that SLA's sales team. "Feedback" is any feedback item about the
    campaign written by someone in sales before the deadline. Campaigns are few; the
    breaches found are written with one bulk insert (unique per campaign and kind).
    """
    breaches = []
    versions = SLAVersion.objects.filter(activated_at__isnull=False).select_related("sla")
    for version in versions:
        zone = ZoneInfo(version.time_zone)
        today = timezone.localtime(now, zone).date()
        # Deadline = midnight after end_date + feedback_days, in the SLA's time zone.
        last_end = today - timedelta(days=version.feedback_days + 1)
        first_end = timezone.localtime(version.activated_at, zone).date() - timedelta(
            days=version.feedback_days + 1
        )
        if version.ended_at is not None:
            last_end = min(
                last_end,
                timezone.localtime(version.ended_at, zone).date()
                - timedelta(days=version.feedback_days + 1),
            )
        if last_end < first_end:
            continue
        campaigns = (
            Campaign.objects.filter(
                end_date__gt=first_end,
                end_date__lte=last_end,
                sales_coowner__team_id=version.sla.sales_team_id,
            )
            .exclude(status=CampaignStatus.CANCELLED)
            .exclude(sla_breaches__kind=BreachKind.CAMPAIGN_FEEDBACK_LATE)
            .values_list("pk", "end_date", "sales_coowner_id")
        )
        for campaign_id, end_date, coowner_id in campaigns:
            deadline = datetime.combine(
                end_date + timedelta(days=version.feedback_days + 1), datetime.min.time(), zone
            )
            if deadline > now:
                continue
            answered = FeedbackItem.objects.filter(
                campaign_id=campaign_id,
                author__role__in=["seller", "sales_manager"],
                created_at__lt=deadline,
            ).exists()
            if answered:
                continue
            breaches.append(
                Breach(
                    kind=BreachKind.CAMPAIGN_FEEDBACK_LATE,
                    side=Side.SALES,
                    version=version,
                    campaign_id=campaign_id,
                    owner_id=coowner_id,
                    due_at=deadline,
                    detected_at=now,
                )
            )
    return _insert_new(breaches)
