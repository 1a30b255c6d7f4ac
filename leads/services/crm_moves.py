"""CRM-side lifecycle in a bulk upsert: moves an integration reports from the CRM.

Sales works its deals in the CRM. A sync item may say what happened there — ``stage``
``sql`` with ``expected_amount``, ``customer`` with ``won_amount`` (and ``close_date``),
``lost`` with ``reason_code`` — and the bulk upsert applies it as the lifecycle move
(``lead_transition``, the integration as actor, the same rules as any move). Each move
is checked before the batch writes anything (``plan_move``): one that cannot be made is
the item's error and the item is left out whole. ``stage`` equal to the lead's stage
moves nothing, so a re-sent record is harmless.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from accounts.models import User
from leads import lifecycle, permissions
from leads.models import Lead, ReasonCode, Stage
from leads.services.moves import lead_transition
from smarketing.errors import DomainError

# What an item may report; without a ``stage`` that differs from the lead's they change
# nothing (the amounts are output fields a pulled record carries back).
MOVE_FIELDS = ("stage", "expected_amount", "won_amount", "close_date", "reason_code")
CRM_STAGES = (Stage.SQL, Stage.CUSTOMER, Stage.LOST)
Values = dict[str, Any]
Item = dict[str, Any]
_MOVE_MODEL_FIELDS = {
    name: cast("models.Field[Any, Any]", Lead._meta.get_field(name))
    for name in ("expected_amount", "won_amount", "close_date")
}


@dataclass(frozen=True)
class PlannedMove:
    """A move an item reported, checked against the lead it matched."""

    lead: Lead
    move: lifecycle.Move
    amount: Decimal | None
    reason_code: str
    close_date: date | None


def clean_move(item: Item) -> Values:
    """The move fields an item reports, converted; ValidationError with field messages."""
    errors: dict[str, list[str]] = {}
    values: Values = {}
    stage = str(item.get("stage") or "").strip().lower()
    if stage not in Stage.values:
        errors["stage"] = [_("Unknown stage “%(stage)s”.") % {"stage": stage}]
    values["stage"] = stage
    for name in ("expected_amount", "won_amount", "close_date"):
        raw = item.get(name)
        if raw in (None, ""):
            continue
        try:
            values[name] = _MOVE_MODEL_FIELDS[name].clean(raw, None)
        except ValidationError as error:
            errors[name] = error.messages
            continue
        if name != "close_date" and values[name] < 0:
            errors[name] = [_("The amount cannot be negative.")]
    values["reason_code"] = str(item.get("reason_code") or "").strip()
    if errors:
        raise ValidationError(errors)
    return values


def known_reason_codes(reported: Iterable[Values]) -> set[str]:
    codes = {values["reason_code"] for values in reported if values.get("reason_code")}
    if not codes:
        return set()
    return set(
        ReasonCode.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True)
    )


def plan_move(
    reported: Values, lead: Lead | None, *, actor: User, known_reasons: set[str]
) -> PlannedMove | None:
    """The move that takes ``lead`` to the reported stage; None when it is there already.

    ValidationError (on ``stage`` or the missing field) when the move cannot be made:
    the item is then left out whole, record included.
    """
    target = reported["stage"]
    current = lead.stage if lead is not None else Stage.LEAD
    if target == current:
        return None
    if target not in CRM_STAGES:
        raise ValidationError(
            {
                "stage": _(
                    "A CRM reports sql, customer or lost; a lead reaches “%(stage)s” "
                    "through a move in Smarketing."
                )
                % {"stage": target}
            }
        )
    move = lifecycle.find_move_to(target, current) if lead is not None else None
    if move is None:
        reached_from = [m.source for m in lifecycle.MOVES if m.target == target]
        raise ValidationError(
            {
                "stage": _(
                    "%(target)s cannot be reached from %(current)s (the lead must be %(from)s)."
                )
                % {
                    "target": Stage(target).label,
                    "current": Stage(current).label
                    + ("" if lead is not None else _(", a new lead")),
                    "from": " or ".join(str(Stage(source).label) for source in reached_from),
                }
            }
        )
    if lead is not None and not permissions.can_report_crm_move(actor, lead, move):
        raise ValidationError(
            {
                "stage": _(
                    "You may not %(action)s this lead: moves reported by a CRM need an "
                    "integration's service account."
                )
                % {"action": move.action}
            }
        )
    amount = reported.get(move.amount) if move.amount else None
    if move.amount and amount is None:
        raise ValidationError(
            {move.amount: _("Required to move the lead to %(stage)s.") % {"stage": target}}
        )
    reason_code = reported["reason_code"]
    if move.needs_reason and not reason_code:
        raise ValidationError(
            {"reason_code": _("Required to move the lead to %(stage)s.") % {"stage": target}}
        )
    if reason_code and reason_code not in known_reasons:
        raise ValidationError(
            {"reason_code": _("“%(code)s” is not a known reason code.") % {"code": reason_code}}
        )
    if lead is None:  # unreachable: a new lead has no move to make (checked above)
        return None
    return PlannedMove(
        lead=lead,
        move=move,
        amount=amount,
        reason_code=reason_code if move.needs_reason else "",
        close_date=reported.get("close_date"),
    )


def apply_moves(planned: dict[int, PlannedMove], *, actor: User) -> dict[int, list[str]]:
    """Make the planned moves one by one, in item order (each in its own savepoint).

    Returns the messages of the moves that failed meanwhile (someone moved the lead
    since the batch read it), by item index.
    """
    failed: dict[int, list[str]] = {}
    for index in sorted(planned):
        plan = planned[index]
        try:
            lead_transition(
                lead=plan.lead,
                action=plan.move.action,
                actor=actor,
                expected_stage=plan.move.source,
                amount=plan.amount,
                reason_code=plan.reason_code,
                close_date=plan.close_date,
                via_integration=True,
            )
        except (ValidationError, PermissionDenied, DomainError) as error:
            messages = (
                error.messages
                if isinstance(error, ValidationError)
                else [getattr(error, "message", str(error))]
            )
            failed[index] = [
                _("The record was saved; the move was not: %(why)s") % {"why": " ".join(messages)}
            ]
    return failed
