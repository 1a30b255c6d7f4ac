"""Which status moves a feedback item can make: new → acknowledged → actioned | declined.

Pure data and pure functions. Marketing may also action or decline a new item at once
(acknowledging first is optional). Actioned and declined are final; the thread stays open.
The service, the answer form and the buttons of the queue and the item page are built
from this table; no template lists the moves by hand.
"""

from dataclasses import dataclass

from feedback.models import Status

# The action recorded in an item's history when it is given (not a move: nothing before it).
CREATE = "create"

# How a move's button looks (a CSS class): "ok" closes the item with what marketing did,
# "danger" closes it declined, "" (neutral) only acknowledges.
OK, DANGER, NEUTRAL = "ok", "danger", ""


@dataclass(frozen=True)
class Move:
    action: str
    source: Status
    target: Status
    label: str  # the button
    needs_answer: bool
    tone: str = NEUTRAL


ACKNOWLEDGE, ACTION, DECLINE = "acknowledge", "action", "decline"

MOVES = (
    Move(ACKNOWLEDGE, Status.NEW, Status.ACKNOWLEDGED, "Acknowledge", needs_answer=False),
    Move(ACTION, Status.NEW, Status.ACTIONED, "Action", needs_answer=True, tone=OK),
    Move(ACTION, Status.ACKNOWLEDGED, Status.ACTIONED, "Action", needs_answer=True, tone=OK),
    Move(DECLINE, Status.NEW, Status.DECLINED, "Decline", needs_answer=True, tone=DANGER),
    Move(DECLINE, Status.ACKNOWLEDGED, Status.DECLINED, "Decline", needs_answer=True, tone=DANGER),
)

ACTIONS = tuple(dict.fromkeys(move.action for move in MOVES))
# (action, label) for forms: one per action, in the table's order.
ACTION_CHOICES = tuple({move.action: move.label for move in MOVES}.items())

# Waiting for marketing: not answered at all (new), or acknowledged but not closed.
OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED)
CLOSED_STATUSES = (Status.ACTIONED, Status.DECLINED)

# How a status looks (a CSS class of its pill): unanswered is bad, waiting is a warning.
STATUS_TONE: dict[str, str] = {
    Status.NEW: "bad",
    Status.ACKNOWLEDGED: "warn",
    Status.ACTIONED: "ok",
    Status.DECLINED: "",
}

_BY_ACTION = {(move.action, move.source): move for move in MOVES}
_BY_TARGET = {(move.target, move.source): move for move in MOVES}


def find_move(action: str, source: str) -> Move | None:
    """The move ``action`` from ``source``, or None when there is no such move."""
    if source not in Status.values:
        return None
    return _BY_ACTION.get((action, Status(source)))


def find_move_to(target: str, source: str) -> Move | None:
    """The move that takes an item from ``source`` to ``target``, or None."""
    if source not in Status.values or target not in Status.values:
        return None
    return _BY_TARGET.get((Status(target), Status(source)))


def moves_from(source: str) -> list[Move]:
    return [move for move in MOVES if move.source == source]
