"""The per-lead obligations of each hand-over's SLA clock: decision, first touch,
persistence before recycling, and a comment on each rejection.

decisions_sync copies each accept/reject onto its clock and opens the obligations that
follow it; each ``*_breaches_record`` then judges one kind of open obligation.
"""

from datetime import datetime

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
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from leads.models import ChangeAction, LeadStageChange, Stage, Touch
from sla.business_hours import add_business_hours, calendar_for
from sla.detection.inserts import breach_rows, insert_select
from sla.models import BreachKind, ClockDecision, ObligationState, Side, SLAClock

OPEN, MET, BREACHED, NOT_APPLICABLE = (
    ObligationState.OPEN,
    ObligationState.MET,
    ObligationState.BREACHED,
    ObligationState.NOT_APPLICABLE,
)


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
    found = insert_select(
        breach_rows(
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
    found = insert_select(
        breach_rows(late, kind=BreachKind.DECISION_LATE, due=F("decision_due_at"), now=now)
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
    found = insert_select(
        breach_rows(late, kind=BreachKind.FIRST_TOUCH_LATE, due=F("first_touch_due_at"), now=now)
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
        action=ChangeAction.RECYCLE,
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
    found = insert_select(rows)
    SLAClock.objects.filter(pk__in=too_early.values("pk")).update(persistence_state=BREACHED)
    SLAClock.objects.filter(
        pk__in=left_sal.filter(recycled_at__isnull=False).values("pk"), persistence_state=OPEN
    ).update(persistence_state=MET)
    SLAClock.objects.filter(pk__in=left_sal.values("pk"), persistence_state=OPEN).update(
        persistence_state=NOT_APPLICABLE
    )
    return found
