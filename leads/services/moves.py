"""Writes for the lifecycle: moves, the hand-over and its owner, reassignment.

Each move is a compare-and-set UPDATE plus an immutable LeadStageChange row, and records
``lead.stage_changed`` (and ``lead.handed_over`` on reaching MQL) in the same transaction.
What other areas do about a move — start the SLA clock, check the SLA's MQL definition,
turn a rejection into feedback, tell the new owner — are their subscribers to those
events (docs/ARCHITECTURE.md); this module imports none of them.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from events import catalog
from events.services import event_record
from leads import lifecycle, permissions
from leads.models import AssignmentRule, Lead, LeadStageChange, ReasonCode, RoundRobinCursor, Stage
from smarketing.errors import Conflict, NotAllowed

STALE = _("Someone else changed this lead a moment ago. Reload it and try again.")


def _reason_code_check(reason_code: str, action: str) -> None:
    if not reason_code:
        raise ValidationError(
            {
                "reason_code": _("A reason code is required to %(action)s a lead.")
                % {"action": action}
            }
        )
    if not ReasonCode.objects.filter(code=reason_code, is_active=True).exists():
        raise ValidationError(
            {"reason_code": _("“%(code)s” is not a known reason code.") % {"code": reason_code}}
        )


def _amount_check(amount: object, move: lifecycle.Move) -> Decimal:
    label = move.amount_label.lower()
    if amount in (None, ""):
        raise ValidationError({"amount": _("The %(label)s is required.") % {"label": label}})
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({"amount": _("Enter a number.")}) from error
    if not value.is_finite() or value < 0:
        raise ValidationError({"amount": _("The %(label)s cannot be negative.") % {"label": label}})
    if value >= Decimal("1e12"):
        raise ValidationError({"amount": _("The %(label)s is too large.") % {"label": label}})
    return value.quantize(Decimal("0.01"))


def _seen_check(
    lead: Lead, *, expected_stage: str | None, expected_owner_id: int | None = None
) -> None:
    """Conflict when the lead is no longer as the user saw it (None: not checked)."""
    if expected_stage and expected_stage != lead.stage:
        raise Conflict(
            _(
                "Someone else changed this lead a moment ago: it is now %(stage)s. "
                "Reload it and try again."
            )
            % {"stage": lead.get_stage_display()}
        )
    if expected_owner_id is not None and expected_owner_id != lead.owner_id:
        raise Conflict(
            _(
                "Someone else changed this lead a moment ago: it is now owned by %(owner)s. "
                "Reload it and try again."
            )
            % {"owner": lead.owner or _("nobody")}
        )


@transaction.atomic
def lead_transition(
    *,
    lead: Lead,
    action: str,
    actor: User,
    expected_stage: str | None = None,
    reason_code: str = "",
    comment: str = "",
    amount: Decimal | int | str | None = None,
    owner: User | None = None,
    override_reason: str = "",
    close_date: date | None = None,
    via_integration: bool = False,
) -> LeadStageChange:
    """Apply one lifecycle move to ``lead`` and record it as an immutable stage change.

    ``expected_stage`` is the stage the user saw: if the lead is elsewhere now, someone
    changed it meanwhile and the move is refused (Conflict) rather than applied to a lead
    the user did not see. ``amount`` is what the move records (lifecycle.Move.amount).
    ``owner`` chooses the seller at the hand-over instead of the assignment rules;
    ``override_reason`` lets a manager hand over a lead that misses the SLA's MQL
    definition (the SLA area decides, as a subscriber to ``lead.handed_over``).
    ``close_date`` is the day a win or loss closed, when it is known (a CRM says so);
    today otherwise. ``via_integration``: the move happened in the CRM and an integration
    reports it (permissions.can_report_crm_move).

    Concurrency: the UPDATE only matches while the lead is still in the stage we read.
    When two moves race, the second updates zero rows and gets Conflict, and its
    transaction (history row and events included) is rolled back.
    """
    _seen_check(lead, expected_stage=expected_stage)
    move = lifecycle.find_move(action, lead.stage)
    if move is None:
        raise NotAllowed(
            _("“%(action)s” is not possible for a lead in stage %(stage)s.")
            % {"action": action, "stage": lead.get_stage_display()}
        )
    allowed = permissions.can_make_move(actor, lead, move) or (
        via_integration and permissions.can_report_crm_move(actor, lead, move)
    )
    if not allowed:
        raise PermissionDenied(_("You may not %(action)s this lead.") % {"action": action})
    if move.needs_reason or reason_code:
        _reason_code_check(reason_code, action)
    checked_amount = _amount_check(amount, move) if move.amount else None

    now = timezone.now()
    changes: dict[str, object] = {"stage": move.target, "stage_changed_at": now, "updated_at": now}
    if first_reached := lifecycle.FIRST_REACHED.get(move.target):
        changes[first_reached] = Coalesce(first_reached, now)  # keep the first time
    new_owner = lead.owner
    if move.is_handover:
        new_owner = _handover_owner(lead=lead, explicit_owner=owner)
        changes.update(owner=new_owner, handed_over_at=now, decided_at=None, decision_due_at=None)
    elif move.target == Stage.LEAD:
        # Back to marketing for nurture: it leaves the seller's desk.
        new_owner = None
        changes.update(owner=None, handed_over_at=None, decided_at=None, decision_due_at=None)
    if move.source == Stage.MQL:
        changes["decided_at"] = now  # accept or reject: the decision the SLA times
    if move.amount:
        changes[move.amount] = checked_amount
    if move.target in lifecycle.CLOSED_STAGES:
        changes["close_date"] = close_date or timezone.localdate(now)

    moved = Lead.objects.filter(pk=lead.pk, stage=move.source).update(**changes)
    if moved != 1:
        raise Conflict(STALE)

    change = LeadStageChange.objects.create(
        lead=lead,
        action=action,
        from_stage=move.source,
        to_stage=move.target,
        actor=actor,
        reason_code=reason_code,
        comment=comment,
        from_owner=lead.owner,
        to_owner=new_owner,
        amount=checked_amount,
        created_at=now,
    )
    lead.refresh_from_db()
    event_record(
        catalog.LEAD_STAGE_CHANGED,
        obj=lead,
        actor=actor,
        occurred_at=now,
        data={
            "stage_change_id": change.pk,
            "action": action,
            "from_stage": move.source,
            "to_stage": move.target,
            "reason_code": reason_code,
            "comment": comment,
            "owner_id": lead.owner_id,
            "previous_owner_id": change.from_owner_id,
            "amount": checked_amount,
        },
    )
    if move.is_handover:
        event_record(
            catalog.LEAD_HANDED_OVER,
            obj=lead,
            actor=actor,
            occurred_at=now,
            data={
                "stage_change_id": change.pk,
                "owner_id": lead.owner_id,
                "handed_over_at": now,
                "override_reason": override_reason.strip(),
            },
        )
        # A subscriber may have recorded an override or set the deadline.
        change.refresh_from_db()
        lead.refresh_from_db()
    return change


def _handover_owner(*, lead: Lead, explicit_owner: User | None) -> User:
    if explicit_owner is not None:
        if not permissions.can_take_leads(explicit_owner):
            raise ValidationError({"owner": _("Leads can only be handed to active sellers.")})
        return explicit_owner
    owner = handover_owner_choose(segment=lead.segment, region=lead.region)
    if owner is None:
        raise ValidationError(
            {
                "owner": _(
                    "No available seller matches this lead's segment and region. "
                    "Choose an owner, or add an assignment rule."
                )
            }
        )
    return owner


def handover_owner_choose(*, segment: str, region: str) -> User | None:
    """The next seller for a hand-over: the matching rule's team, round-robin.

    The most specific rule wins (segment and region both matching beat one, which
    beats a catch-all). Inside the team, sellers take turns in id order, skipping
    deactivated and unavailable ones. The team's cursor row is locked while choosing,
    so two hand-overs at once never give the same turn twice.
    """
    rule = (
        AssignmentRule.objects.filter(
            Q(segment="") | Q(segment__iexact=segment), Q(region="") | Q(region__iexact=region)
        )
        .order_by(
            # Specific beats blank: sort blank ("") after a value.
            Lower("segment").desc(),
            Lower("region").desc(),
            "priority",
            "id",
        )
        .select_related("team")
        .first()
    )
    if rule is None:
        return None
    cursor, _created = RoundRobinCursor.objects.get_or_create(team=rule.team)
    cursor = RoundRobinCursor.objects.select_for_update().get(pk=cursor.pk)
    sellers = User.objects.filter(
        team=rule.team, role=Role.SELLER, is_active=True, is_available=True
    ).order_by("id")
    after_last = sellers.filter(id__gt=cursor.last_assigned_id or 0).first()
    chosen = after_last or sellers.first()
    if chosen is not None:
        cursor.last_assigned = chosen
        cursor.save(update_fields=["last_assigned"])
    return chosen


def handover_override_record(*, stage_change_id: int, override_reason: str) -> None:
    """Mark a hand-over as a manager's override of the MQL definition (the SLA decided).

    Called by the SLA area inside the hand-over's transaction. The reason becomes the
    history row's comment when the mover wrote none.
    """
    change = LeadStageChange.objects.get(pk=stage_change_id)
    change.is_override = True
    change.comment = change.comment or override_reason
    change.save(update_fields=["is_override", "comment"])


def lead_decision_due_set(
    *, lead_id: int, handed_over_at: datetime, due_at: datetime | None
) -> int:
    """Set when the owner must decide the hand-over of ``handed_over_at`` (the SLA says).

    Matches only while the lead is still on that hand-over, so a late caller cannot
    put an old deadline on a newer hand-over.
    """
    return Lead.objects.filter(pk=lead_id, handed_over_at=handed_over_at).update(
        decision_due_at=due_at
    )


@transaction.atomic
def lead_reassign(
    *,
    lead: Lead,
    actor: User,
    new_owner: User,
    comment: str = "",
    expected_stage: str | None = None,
    expected_owner_id: int | None = None,
) -> LeadStageChange:
    """Give a handed-over lead to another seller; recorded in the lead's history.

    ``expected_stage`` and ``expected_owner_id`` are what the user saw: if the lead has
    moved or changed hands since, Conflict rather than overrule a change they did not
    see. Compare-and-set on stage and owner: a reassignment or move racing with this
    one makes the UPDATE match nothing, and Conflict too.
    """
    _seen_check(lead, expected_stage=expected_stage, expected_owner_id=expected_owner_id)
    if not permissions.can_reassign(actor, lead):
        raise PermissionDenied(_("Only a sales manager can reassign leads."))
    if lead.stage not in lifecycle.SALES_STAGES:
        raise NotAllowed(_("Only leads that sales is working can be reassigned."))
    if not permissions.can_take_leads(new_owner):
        raise ValidationError({"owner": _("Leads can only be given to active sellers.")})
    if new_owner.pk == lead.owner_id:
        raise ValidationError({"owner": _("This seller already owns the lead.")})
    now = timezone.now()
    moved = Lead.objects.filter(pk=lead.pk, stage=lead.stage, owner=lead.owner_id).update(
        owner=new_owner, updated_at=now
    )
    if moved != 1:
        raise Conflict(STALE)
    change = LeadStageChange.objects.create(
        lead=lead,
        action=LeadStageChange.Action.REASSIGN,
        from_stage=lead.stage,
        to_stage=lead.stage,
        actor=actor,
        comment=comment,
        from_owner_id=lead.owner_id,
        to_owner=new_owner,
        created_at=now,
    )
    event_record(
        catalog.LEAD_REASSIGNED,
        obj=lead,
        actor=actor,
        occurred_at=now,
        data={
            "stage_change_id": change.pk,
            "stage": lead.stage,
            "owner_id": new_owner.pk,
            "previous_owner_id": lead.owner_id,
            "comment": comment,
        },
    )
    lead.refresh_from_db()
    return change
