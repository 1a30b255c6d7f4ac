"""Which status moves a feedback item can make: new → acknowledged → actioned | declined.

Pure data and pure functions. Marketing may also action or decline a new item at once
(acknowledging first is optional). Actioned and declined are final; the thread stays open.
"""

from dataclasses import dataclass

from feedback.models import Status


@dataclass(frozen=True)
class Move:
    action: str
    source: Status
    target: Status
    needs_answer: bool


MOVES = (
    Move("acknowledge", Status.NEW, Status.ACKNOWLEDGED, needs_answer=False),
    Move("action", Status.NEW, Status.ACTIONED, needs_answer=True),
    Move("action", Status.ACKNOWLEDGED, Status.ACTIONED, needs_answer=True),
    Move("decline", Status.NEW, Status.DECLINED, needs_answer=True),
    Move("decline", Status.ACKNOWLEDGED, Status.DECLINED, needs_answer=True),
)

ACTIONS = tuple(dict.fromkeys(move.action for move in MOVES))

# Waiting for marketing: not answered at all (new), or acknowledged but not closed.
OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED)
CLOSED_STATUSES = (Status.ACTIONED, Status.DECLINED)

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
