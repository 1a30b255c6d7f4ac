"""Writes for leads: create and edit, lifecycle moves, hand-over, reassignment, touches."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from feedback import services as feedback_services
from leads import lifecycle, permissions, tasks
from leads.models import (
    AssignmentRule,
    Lead,
    LeadStageChange,
    ReasonCode,
    RoundRobinCursor,
    Stage,
    Touch,
)
from sla import services as sla_services
from smarketing.cache import dashboards_changed
from smarketing.errors import Conflict, NotAllowed

# The fields a person or an integration may set directly. Stage, owner and the
# first-reached times only change through moves and reassignment.
EDITABLE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "title",
    "phone",
    "account",
    "source",
    "source_system",
    "external_id",
    "segment",
    "region",
    "score",
)


def _validate_and_point_at_fields(lead: Lead, exclude: list[str] | None = None) -> None:
    """full_clean(), with expression-constraint errors moved onto the field they concern.

    Django reports a violated Lower("email") constraint under __all__ (STYLE.md §2.4);
    forms and the API should point at ``email``.
    """
    try:
        lead.full_clean(exclude=exclude)
    except ValidationError as error:
        messages = error.message_dict
        general = messages.pop("__all__", [])
        for message in general:
            if "email" in message:
                messages.setdefault("email", []).append(message)
            elif "external id" in message:
                messages.setdefault("external_id", []).append(message)
            else:
                messages.setdefault("__all__", []).append(message)
        raise ValidationError(messages) from error


@transaction.atomic
def lead_create(*, actor: User, **fields) -> Lead:
    """Create a lead at stage ``lead``. Marketing (and admins) create leads."""
    if not permissions.can_edit_lead(actor):
        raise PermissionDenied(_("Only marketing can create leads."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be set here.") for field in unknown})
    now = timezone.now()
    lead = Lead(**fields, created_at=now, updated_at=now, stage_changed_at=now)
    _validate_and_point_at_fields(lead)
    lead.save()
    return lead


@transaction.atomic
def lead_update(*, lead: Lead, actor: User, **changes) -> Lead:
    """Change a lead's record (not its stage or owner). Marketing edits leads."""
    if not permissions.can_edit_lead(actor, lead):
        raise PermissionDenied(_("Only marketing can edit leads."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in unknown})
    for field, value in changes.items():
        setattr(lead, field, value)
    lead.updated_at = timezone.now()
    _validate_and_point_at_fields(lead)
    lead.save(update_fields=[*changes, "updated_at"])
    return lead


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


def _amount_check(amount, action: str) -> Decimal:
    label = _("won amount") if action == "win" else _("expected amount")
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


@transaction.atomic
def lead_transition(
    *,
    lead: Lead,
    action: str,
    actor: User,
    reason_code: str = "",
    comment: str = "",
    amount=None,
    owner: User | None = None,
    override_reason: str = "",
) -> LeadStageChange:
    """Apply one lifecycle move to ``lead`` and record it as an immutable stage change.

    ``amount`` is the expected amount when qualifying to SQL and the won amount when
    winning. ``owner`` chooses the seller at the hand-over (qualify to MQL) instead of
    the assignment rules. ``override_reason`` lets a manager qualify a lead that misses
    the SLA's MQL definition.

    Concurrency: the UPDATE only matches while the lead is still in the stage we read.
    When two moves race, the second updates zero rows and gets Conflict, and its
    transaction (history row included) is rolled back.
    """
    move = lifecycle.find_move(action, lead.stage)
    if move is None:
        raise NotAllowed(
            _("“%(action)s” is not possible for a lead in stage %(stage)s.")
            % {"action": action, "stage": lead.get_stage_display()}
        )
    if not permissions.can_make_move(actor, lead, move):
        raise PermissionDenied(_("You may not %(action)s this lead.") % {"action": action})
    if move.needs_reason or reason_code:
        _reason_code_check(reason_code, action)
    needs_amount = move.needs_amount or move.target == Stage.SQL
    checked_amount = _amount_check(amount, action) if needs_amount else None

    now = timezone.now()
    changes: dict[str, object] = {"stage": move.target, "stage_changed_at": now, "updated_at": now}
    if first_reached := lifecycle.FIRST_REACHED.get(move.target):
        changes[first_reached] = Coalesce(first_reached, now)  # keep the first time
    is_override = False
    new_owner = lead.owner
    if move.target == Stage.MQL:
        is_override = sla_services.mql_definition_check(
            lead=lead, actor=actor, override_reason=override_reason
        )
        new_owner = _handover_owner(lead=lead, explicit_owner=owner)
        changes.update(owner=new_owner, handed_over_at=now, decided_at=None)
    elif move.target == Stage.LEAD:
        # Back to marketing for nurture: it leaves the seller's desk.
        new_owner = None
        changes.update(owner=None, handed_over_at=None, decided_at=None)
    if move.source == Stage.MQL:
        changes["decided_at"] = now  # accept or reject: the decision the SLA times
    if move.target == Stage.SQL:
        changes["expected_amount"] = checked_amount
    elif move.target == Stage.CUSTOMER:
        changes.update(won_amount=checked_amount, close_date=timezone.localdate(now))
    elif move.target == Stage.LOST:
        changes["close_date"] = timezone.localdate(now)

    moved = Lead.objects.filter(pk=lead.pk, stage=move.source).update(**changes)
    if moved != 1:
        raise Conflict(_("Someone else changed this lead a moment ago. Reload it and try again."))

    change = LeadStageChange.objects.create(
        lead=lead,
        action=action,
        from_stage=move.source,
        to_stage=move.target,
        actor=actor,
        reason_code=reason_code,
        comment=override_reason if is_override and not comment else comment,
        from_owner=lead.owner,
        to_owner=new_owner,
        is_override=is_override,
        amount=checked_amount,
        created_at=now,
    )
    lead.refresh_from_db()
    if move.target == Stage.MQL:
        sla_services.sla_clock_start(lead=lead, handed_over_at=now)
        # Tell the new owner, but only once the hand-over is committed.
        transaction.on_commit(partial(tasks.notify_handover.delay, change.pk))
    elif move.target == Stage.REJECTED:
        feedback_services.feedback_record_rejection(change=change)
    if move.source == Stage.REJECTED:
        feedback_services.feedback_close_rejection(change=change)
    dashboards_changed()
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
        team=rule.team, role="seller", is_active=True, is_available=True
    ).order_by("id")
    after_last = sellers.filter(id__gt=cursor.last_assigned_id or 0).first()
    chosen = after_last or sellers.first()
    if chosen is not None:
        cursor.last_assigned = chosen
        cursor.save(update_fields=["last_assigned"])
    return chosen


@transaction.atomic
def lead_reassign(
    *, lead: Lead, actor: User, new_owner: User, comment: str = ""
) -> LeadStageChange:
    """Give a handed-over lead to another seller; recorded in the lead's history.

    Compare-and-set on the owner: if someone reassigned or moved it meanwhile, Conflict.
    """
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
        raise Conflict(_("Someone else changed this lead a moment ago. Reload it and try again."))
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
    lead.refresh_from_db()
    transaction.on_commit(partial(tasks.notify_handover.delay, change.pk))
    dashboards_changed()
    return change


@transaction.atomic
def touch_log(
    *, lead: Lead, actor: User, kind: str, note: str = "", occurred_at: datetime | None = None
) -> Touch:
    """Record a seller's contact attempt; the first one is the lead's first touch."""
    if not permissions.can_log_touch(actor, lead):
        raise PermissionDenied(_("Only the lead's owner or a sales manager can log touches."))
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now:
        raise ValidationError({"occurred_at": _("A touch cannot be in the future.")})
    touch = Touch(lead=lead, kind=kind, actor=actor, note=note, occurred_at=occurred_at)
    touch.full_clean()
    touch.save()
    # Earliest attempt wins, even when an older touch is logged late.
    Lead.objects.filter(pk=lead.pk).filter(
        Q(first_touch_at__isnull=True) | Q(first_touch_at__gt=occurred_at)
    ).update(first_touch_at=occurred_at, updated_at=now)
    lead.refresh_from_db(fields=["first_touch_at", "updated_at"])
    dashboards_changed()
    return touch


@transaction.atomic
def reason_code_save(
    *,
    actor: User,
    reason_code: ReasonCode | None = None,
    code: str = "",
    label: str,
    is_active: bool = True,
    position: int | None = None,
) -> ReasonCode:
    """Add a reason code, or rename / (de)activate / reorder an existing one (managers).

    The code itself never changes once created: history rows store it as text, so a
    renamed code must keep pointing at the same rows. Deactivating hides it from new
    moves and keeps its label for the history.
    """
    if not permissions.can_manage_reason_codes(actor):
        raise PermissionDenied(_("Only managers can change the reason codes."))
    if reason_code is None:
        if position is None:
            last = ReasonCode.objects.order_by("-position").values_list("position", flat=True)
            position = (last.first() or 0) + 1
        reason_code = ReasonCode(code=code.strip().lower())
    reason_code.label = label.strip()
    reason_code.is_active = is_active
    if position is not None:
        reason_code.position = position
    reason_code.full_clean()
    reason_code.save()
    return reason_code
